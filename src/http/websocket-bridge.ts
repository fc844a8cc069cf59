/**
 * `GET /ws/session/{id}` upgraded to a WebSocket: the client joins the live session, gets its
 * history, and drives it with JSON messages (session-messages.ts). A bad message gets an `error`
 * message back, never a dropped connection; so does a turn the key's limits refuse (the same
 * limits as its HTTP requests). Before the upgrade: the Host and the page's Origin (browsers send
 * it on every WebSocket, and no page may open one unless server.cors_origins lists it), the key,
 * the session's owner — another key's session is as unknown as a missing one — and the caps on
 * clients per session and per key. Behind a trusted proxy the Host checked is X-Forwarded-Host.
 *
 * The CLI's own `--sdk-url` WebSocket transport accepts only Anthropic's hosts (measured), so the
 * bridge drives the CLI over stdio and speaks WebSocket to clients itself.
 */
import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { GatewayError, toOpenAIErrorBody } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { LiveSession } from "../sessions/live-session.js";
import { parseClientMessage } from "../sessions/session-messages.js";
import type { GatewayServices } from "./gateway-services.js";
import { presentedKey } from "./middleware/access.js";
import { guardUnreadSocket } from "./unread-socket-guard.js";

/**
 * Browsers cannot set headers on a WebSocket: besides `Authorization` / `x-api-key`, the key may
 * come as the `api_key` query parameter here (only here).
 */
export function createWebSocketBridge(
  {
    sessions,
    apiKeys: keys,
    browserGuard,
    publicOriginOf,
    keyLimits,
    configuration,
  }: Pick<GatewayServices, "sessions" | "apiKeys" | "browserGuard" | "publicOriginOf" | "keyLimits" | "configuration">,
  logger: Logger,
) {
  const streamBufferBytes = configuration.server.stream_buffer_kb * 1024;
  const server = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const refuse = (socket: Duplex, status: number, body = "", retryAfterSeconds?: number) => {
    const type = body ? "content-type: application/json\r\n" : "";
    const retry = retryAfterSeconds ? `retry-after: ${Math.ceil(retryAfterSeconds)}\r\n` : "";
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n${type}${retry}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  const refuseWith = (socket: Duplex, error: GatewayError) =>
    refuse(socket, error.status, JSON.stringify(toOpenAIErrorBody(error)), error.retryAfterSeconds);
  /** The session `owner` may join as `id` now, or how to refuse: unknown or ended (404), too many clients (429). */
  const joinable = (owner: string, id: string): { session: LiveSession } | { refuse: (socket: Duplex) => void } => {
    const session = sessions.find(owner, id);
    if (!session || session.state === "ended") return { refuse: (socket) => refuse(socket, 404) };
    const crowded = sessions.checkClientCaps(session);
    return crowded ? { refuse: (socket) => refuseWith(socket, crowded) } : { session };
  };
  const admitAndUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? "/", "http://gateway");
    const match = /^\/ws\/session\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1]) return refuse(socket, 404);
    const { host } = publicOriginOf({
      remoteAddress: request.socket.remoteAddress,
      protocol: "http:",
      header: (name) => request.headers[name] as string | undefined,
    });
    if (browserGuard.checkHost(host)) return refuse(socket, 421);
    if (browserGuard.checkOrigin(request.headers.origin, host)) return refuse(socket, 403);
    const headers = { get: (name: string) => request.headers[name] as string | undefined };
    const caller = keys.callerFor(presentedKey(headers) ?? url.searchParams.get("api_key") ?? undefined);
    if (caller === undefined) return refuse(socket, 401);
    const { owner } = caller;
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      return refuse(socket, 404); // "%ZZ": no such session, and no crash
    }
    // Checked before the key's limits are asked, so that a refused join uses up nothing.
    const before = joinable(owner, id);
    if ("refuse" in before) return before.refuse(socket);
    try {
      // Joining is a request of the key's (each join is sent the session's history): counted per
      // minute, so leaving and rejoining cannot replay it without bound.
      await keyLimits.admit(caller, Date.now(), { inFlight: false });
    } catch (error) {
      if (error instanceof GatewayError) return refuseWith(socket, error);
      throw error;
    }
    if (socket.destroyed) return;
    // The limits may have answered from Redis, a tick or more later: the session and the caps are
    // checked again in the tick handleUpgrade runs in.
    const join = joinable(owner, id);
    if ("refuse" in join) return join.refuse(socket);
    const { session } = join;
    // handleUpgrade calls back within this tick, so no other upgrade can pass the caps in between.
    server.handleUpgrade(request, socket, head, (ws) => {
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
    });
  };
  return {
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node's HTTP server stopped listening for the socket's errors when it emitted 'upgrade', and
      // ws listens only from handleUpgrade on: a reset while the key's limits are asked (or while a
      // refusal is written) must not be an unhandled 'error'.
      socket.on("error", () => socket.destroy());
      admitAndUpgrade(request, socket, head).catch((error: unknown) => {
        logger.warn({ error: String(error) }, "a session upgrade failed");
        socket.destroy();
      });
    },
    /** Refuses further upgrades (503); the clients connected stay. */
    close: () => server.close(),
    /** Cuts every client still connected. */
    cutClients: () => {
      for (const socket of server.clients) socket.terminate();
    },
  };
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
