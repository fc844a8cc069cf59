/**
 * One client's WebSocket on a live session of this instance: it gets the session's history and
 * messages, and drives it with JSON messages (session-messages.ts). A bad message gets an `error`
 * message back, never a dropped connection; so does a turn the key's limits refuse.
 */
import type { WebSocket } from "ws";
import type { Caller } from "../../auth/caller.js";
import type { KeyLimits } from "../../auth/key-limits.js";
import { GatewayError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { LiveSession } from "../../sessions/live-session.js";
import { parseClientMessage } from "../../sessions/session-messages.js";
import { guardUnreadSocket } from "../unread-socket-guard.js";

export interface SessionSocketSettings {
  keyLimits: KeyLimits;
  /** server.stream_buffer_kb in bytes. */
  streamBufferBytes: number;
  logger: Logger;
}

export function attachSessionSocket(
  ws: WebSocket,
  session: LiveSession,
  caller: Caller,
  { keyLimits, streamBufferBytes, logger }: SessionSocketSettings,
): void {
  const unread = guardUnreadSocket(ws, streamBufferBytes, (buffered) =>
    logger.warn(
      { session: session.id, bufferedKb: Math.round(buffered / 1024) },
      "session client cut: it left what it was sent unread (server.stream_buffer_kb)",
    ),
  );
  const client = {
    send: (message: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(message));
      unread.check();
    },
    close: (code: number, reason: string) => ws.close(code, reason),
    // A turn is a request of the key's: counted per minute, and in flight until its result.
    admitTurn: () => keyLimits.admit(caller),
  };
  session.attach(client);
  ws.on("message", (data) => {
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return client.send({ type: "error", message: parsed.error, code: "invalid_message" });
    session.handle(client, parsed.message).catch((error: unknown) => {
      // A refusal of the gateway's (the key's limits): the client learns why, and when to retry.
      if (error instanceof GatewayError) return client.send(errorMessage(error));
      logger.warn({ session: session.id, error: String(error) }, "a session message failed");
      client.send({ type: "error", message: "The message could not be carried out.", code: "failed" });
    });
  });
  ws.on("close", () => {
    unread.dispose();
    session.detach(client);
  });
  ws.on("error", () => session.detach(client));
}

/** A GatewayError as the WebSocket's `error` message; `retry_after` (seconds) when it has one. */
function errorMessage(error: GatewayError) {
  const retryAfter = error.retryAfterSeconds;
  return {
    type: "error",
    message: error.message,
    code: error.code,
    ...(retryAfter ? { retry_after: retryAfter } : {}),
  };
}
