/**
 * A live-session WebSocket client for tests: keeps every message and the bytes received, and can
 * wait for a message. `refusedUpgrade` is the other outcome: the gateway's answer to an upgrade it
 * refuses.
 */
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { expect } from "vitest";
import WebSocket from "ws";
import { eventually } from "./eventually.js";

export type SessionMessage = { type: string; [field: string]: unknown };

export interface SessionClient {
  socket: WebSocket;
  messages: SessionMessage[];
  /** Bytes of every message received so far. */
  bytes(): number;
  send(message: unknown): void;
  /** The first message from index `from` on that passes `predicate`. */
  waitFor(predicate: (message: SessionMessage) => boolean, from?: number): Promise<SessionMessage>;
  /** Resolves once everything the gateway sent before now has arrived (it answers in order). */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** `options`: the rest of the `ws` client's (a CA for a self-signed wss:// proxy, say). */
export async function connectSession(
  url: string,
  headers: Record<string, string> = {},
  options: WebSocket.ClientOptions = {},
): Promise<SessionClient> {
  const socket = new WebSocket(url, { ...options, headers });
  const messages: SessionMessage[] = [];
  let bytes = 0;
  socket.on("message", (data: Buffer) => {
    bytes += data.length;
    messages.push(JSON.parse(data.toString()) as SessionMessage);
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const client: SessionClient = {
    socket,
    messages,
    bytes: () => bytes,
    send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
    waitFor: (predicate, from = 0) =>
      eventually(() => {
        const found = messages.slice(from).find(predicate);
        expect(found).toBeDefined();
        return found as SessionMessage;
      }, 20_000),
    async caughtUp() {
      // A message that does not parse is answered at once, after whatever was sent before it.
      const from = messages.length;
      client.send({ type: "caught up?" });
      await client.waitFor((message) => message.type === "error" && message.code === "invalid_message", from);
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, "close");
      socket.close();
      await closed;
    },
  };
  return client;
}

/** The status and body of an upgrade the gateway refused (it fails if the upgrade is accepted). */
export async function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, { ...options, headers });
  const [, response] = (await Promise.race([
    once(socket, "unexpected-response"),
    once(socket, "open").then(() => {
      socket.terminate();
      throw new Error(`the upgrade to ${url} was accepted`);
    }),
  ])) as [unknown, IncomingMessage];
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  // Ending a handshake that never completed is reported as an error: expected here.
  socket.on("error", () => {});
  socket.terminate();
  return { status: response.statusCode ?? 0, body: Buffer.concat(parts).toString() };
}
