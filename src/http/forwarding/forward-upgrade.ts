/**
 * A live session's WebSocket that reached an instance other than the session's: the upgrade is
 * sent on to the session's instance (with the internal credential, without the caller's key) and,
 * once it answers 101, the two sockets are joined byte for byte. Any other answer is passed back
 * as it is; a refused connection means the session's instance is gone.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { InstanceRecord } from "../../cluster/instance-registry.js";
import type { InternalCredential } from "../../cluster/internal-credential.js";
import { hopByHop, passedHeaders, sendToPeer } from "./peer-request.js";

/** A client joined to a peer's session. */
export interface JoinedSockets {
  /** Ends it (this instance is shutting down): the client is sent a close frame, "going away". */
  cut(): void;
}

export interface UpgradeForwarding {
  instance: InstanceRecord;
  credential: InternalCredential;
  owner: string;
  /** The peer's answer to the upgrade must have come within this long. */
  answerWithinMs: number;
  /** The session's instance refused the connection: it is gone. */
  onGone(): void;
  /** Any other failure to reach it. */
  onUnreachable(error: unknown): void;
  /** The joined pair; `closed` when either side ends. */
  joined(sockets: JoinedSockets, closed: Promise<void>): void;
}

/** A WebSocket close frame from the server (unmasked): 1001, going away. */
const goingAway = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

export async function forwardUpgrade(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  to: UpgradeForwarding,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://gateway");
  // The key stays here, wherever a browser put it.
  url.searchParams.delete("api_key");
  const headers = passedHeaders(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((each): [string, string] => [name, each]),
    ),
  );
  const outgoing = await sendToPeer({
    to: to.instance.id,
    base: to.instance.url,
    method: "GET",
    path: url.pathname + url.search,
    owner: to.owner,
    headers: { ...headers, connection: "Upgrade", upgrade: "websocket" },
    credential: to.credential,
    upgrade: true,
    answerWithinMs: to.answerWithinMs,
  });
  socket.once("close", () => outgoing.destroy());
  outgoing.once("upgrade", (answer: IncomingMessage, peer: Duplex, peerHead: Buffer) => {
    peer.on("error", () => peer.destroy());
    if (socket.destroyed) return peer.destroy();
    const lines = ["HTTP/1.1 101 Switching Protocols"];
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      lines.push(`${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}`);
    }
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (peerHead.length > 0) socket.write(peerHead);
    if (head.length > 0) peer.write(head);
    const closed = new Promise<void>((resolve) => {
      const end = () => {
        socket.destroy();
        peer.destroy();
        resolve();
      };
      for (const side of [socket, peer]) side.once("close", end);
    });
    peer.pipe(socket);
    socket.pipe(peer);
    to.joined(
      {
        cut: () => {
          // Between two of the peer's frames, as far as can be told; then the client is let go.
          peer.unpipe(socket);
          peer.destroy();
          socket.end(goingAway);
        },
      },
      closed,
    );
  });
  outgoing.once("response", (answer: IncomingMessage) => {
    answer.on("error", () => socket.destroy());
    // Refused there (a cap, a limit): the client gets that refusal as it was sent.
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}`, "connection: close"];
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      const name = answer.rawHeaders[index] ?? "";
      if (!hopByHop.has(name.toLowerCase()) || name.toLowerCase() === "content-length") {
        lines.push(`${name}: ${answer.rawHeaders[index + 1]}`);
      }
    }
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    answer.pipe(socket);
  });
  outgoing.on("error", (error: NodeJS.ErrnoException) => {
    if (socket.destroyed) return;
    if (error.code === "ECONNREFUSED") to.onGone();
    else to.onUnreachable(error);
  });
}
