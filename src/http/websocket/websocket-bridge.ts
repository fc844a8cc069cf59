/**
 * `GET /ws/session/{id}` upgraded to a WebSocket: the client joins the live session
 * (session-socket.ts). Before the upgrade: the Host and the page's Origin (browsers send it on
 * every WebSocket, and no page may open one unless server.cors_origins lists it), the key, the
 * session's owner — another key's session is as unknown as a missing one — the key's limits and
 * the caps on clients per session and per key. Behind a trusted proxy the Host checked is
 * X-Forwarded-Host. A session another instance runs is joined through this one: the upgrade is
 * sent there (forward-upgrade.ts), which admits it on this instance's word (the internal credential).
 *
 * The CLI's own `--sdk-url` WebSocket transport accepts only Anthropic's hosts (measured), so the
 * bridge drives the CLI over stdio and speaks WebSocket to clients itself.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Caller } from "../../auth/caller.js";
import { ownerUnreachable, sessionGone } from "../../cluster/cluster-errors.js";
import { asGatewayError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { forwardUpgrade, type JoinedSockets } from "../forwarding/forward-upgrade.js";
import { checkForwarded, notFromAnInstance } from "../forwarding/forwarded-caller.js";
import type { GatewayServices } from "../gateway-services.js";
import { presentedKey } from "../middleware/access.js";
import { refuseUpgrade, refuseUpgradeWith } from "./refuse-upgrade.js";
import { attachSessionSocket } from "./session-socket.js";

/** How long a session's instance may take to answer an upgrade sent on to it. */
const upgradeAnswerMs = 10_000;

/**
 * Browsers cannot set headers on a WebSocket: besides `Authorization` / `x-api-key`, the key may
 * come as the `api_key` query parameter here (only here).
 */
export function createWebSocketBridge(
  services: Pick<
    GatewayServices,
    "sessions" | "apiKeys" | "browserGuard" | "publicOriginOf" | "keyLimits" | "configuration" | "cluster" | "metrics"
  >,
  logger: Logger,
) {
  const { sessions, apiKeys: keys, browserGuard, publicOriginOf, keyLimits, cluster, metrics } = services;
  const settings = {
    keyLimits,
    streamBufferBytes: services.configuration.server.stream_buffer_kb * 1024,
    logger,
  };
  const server = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const joined = new Set<JoinedSockets>();

  /** Who asks: the caller another instance vouches for, or the one its key (and its page) says. */
  const callerOf = async (
    request: IncomingMessage,
    url: URL,
  ): Promise<{ caller: Caller; sentOn: boolean } | number> => {
    const headers = { get: (name: string) => request.headers[name] as string | undefined };
    const forwarded = await checkForwarded(cluster.credential, keys, {
      header: (name) => headers.get(name),
      method: request.method ?? "GET",
      path: () => request.url ?? "/",
    });
    if (forwarded.kind === "refused") throw notFromAnInstance();
    if (forwarded.kind === "forwarded") return { caller: forwarded.caller, sentOn: true };
    const { host } = publicOriginOf({
      remoteAddress: request.socket.remoteAddress,
      protocol: "http:",
      header: (name) => request.headers[name] as string | undefined,
    });
    if (browserGuard.checkHost(host)) return 421;
    if (browserGuard.checkOrigin(request.headers.origin, host)) return 403;
    const caller = keys.callerFor(presentedKey(headers) ?? url.searchParams.get("api_key") ?? undefined);
    return caller ? { caller, sentOn: false } : 401;
  };

  const admit = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? "/", "http://gateway");
    const match = /^\/ws\/session\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1]) return refuseUpgrade(socket, 404);
    const asking = await callerOf(request, url);
    if (typeof asking === "number") return refuseUpgrade(socket, asking);
    const { caller, sentOn } = asking;
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      return refuseUpgrade(socket, 404); // "%ZZ": no such session, and no crash
    }
    const session = sessions.find(caller.owner, id);
    if (!session || session.state === "ended") {
      // Not here: perhaps on another instance, which the client is joined to through this one.
      return sentOn ? refuseUpgrade(socket, 404) : elsewhere(request, socket, head, caller, id);
    }
    // Checked before the key's limits are asked too, so that a refused join uses up nothing.
    const crowdedBefore = sessions.checkClientCaps(session);
    if (crowdedBefore) return refuseUpgradeWith(socket, crowdedBefore);
    // Joining is a request of the key's (each join is sent the session's history): counted per
    // minute, so leaving and rejoining cannot replay it without bound — where the client came in.
    if (!sentOn) await keyLimits.admit(caller, Date.now(), { inFlight: false });
    if (socket.destroyed) return;
    // The limits may have answered from Redis, ticks later: checked again in handleUpgrade's tick.
    const still = sessions.find(caller.owner, id);
    if (still !== session || still.state === "ended") return refuseUpgrade(socket, 404);
    const crowded = sessions.checkClientCaps(session);
    if (crowded) return refuseUpgradeWith(socket, crowded);
    // handleUpgrade calls back within this tick, so no other upgrade can pass the caps in between.
    server.handleUpgrade(request, socket, head, (ws) => attachSessionSocket(ws, session, caller, settings));
  };

  const elsewhere = async (request: IncomingMessage, socket: Duplex, head: Buffer, caller: Caller, id: string) => {
    const where = await cluster.session(caller.owner, id);
    const { credential } = cluster;
    if (where.kind === "gone") return refuseUpgradeWith(socket, sessionGone());
    if (where.kind !== "elsewhere" || !credential) return refuseUpgrade(socket, 404);
    await keyLimits.admit(caller, Date.now(), { inFlight: false });
    if (socket.destroyed) return;
    await forwardUpgrade(request, socket, head, {
      instance: where.instance,
      credential,
      owner: caller.owner,
      answerWithinMs: upgradeAnswerMs,
      onGone: () => {
        metrics.forwarded("websocket", "gone");
        void cluster.forget(where.instance);
        refuseUpgradeWith(socket, sessionGone());
      },
      onUnreachable: (error) => {
        metrics.forwarded("websocket", "unreachable");
        refuseUpgradeWith(socket, ownerUnreachable(error));
      },
      joined: (pair, closed) => {
        metrics.forwarded("websocket", "sent");
        joined.add(pair);
        void closed.then(() => joined.delete(pair));
      },
    });
  };

  return {
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      admit(request, socket, head).catch((error: unknown) => {
        const refusal = asGatewayError(error);
        if (refusal.status >= 500) logger.warn({ error: String(error) }, "a WebSocket upgrade failed");
        refuseUpgradeWith(socket, refusal);
      });
    },
    /** Refuses further upgrades (503); the clients connected stay. */
    close: () => server.close(),
    /** Cuts every client still connected (those joined to another instance's session told why). */
    cutClients: () => {
      for (const socket of server.clients) socket.terminate();
      for (const pair of joined) pair.cut();
    },
  };
}
