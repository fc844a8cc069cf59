/**
 * Applies the connection caps (server.max_connections, server.max_connections_per_address) to a
 * server's sockets, WebSocket ones included: they are counted from the TCP connection on, so an
 * upgraded socket stays counted until it closes.
 *
 * A connection past a cap is not served. Its first request gets `503 too_many_connections` with
 * `connection: close` (an HTTP client then sees a real answer, not a reset), a WebSocket upgrade a
 * bare 503. A refused socket that sends nothing is closed after a second, so refused sockets do not
 * themselves become the resource the caps protect, and past twice server.max_connections open
 * sockets Node drops new ones at accept.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { GatewayError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { type ConnectionCap, ConnectionCaps, clientAddress } from "./connection-caps.js";

const refusedSocketLingerMs = 1_000;
/** Under a flood one line per refused connection would be a flood of its own. */
const refusalLogIntervalMs = 10_000;

export interface ConnectionLimits {
  /** Why this socket's connection is not served; undefined for an admitted one. */
  refusalOf(socket: object): GatewayError | undefined;
}

export function limitConnections(
  server: Server,
  limits: { maxConnections: number; maxConnectionsPerAddress: number },
  logger: Logger,
): ConnectionLimits {
  const caps = new ConnectionCaps(limits.maxConnections, limits.maxConnectionsPerAddress);
  // A hard ceiling under the caps: refused sockets linger a second each, and a connect flood must
  // not hold a descriptor per attempt for that long. Past twice the total, Node drops at accept.
  server.maxConnections = 2 * limits.maxConnections;
  const refused = new WeakMap<object, ConnectionCap>();
  let unlogged = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  server.on("connection", (socket: Socket) => {
    const address = clientAddress(socket.remoteAddress);
    const cap = caps.admit(address);
    if (cap === undefined) {
      socket.once("close", () => caps.release(address));
      return;
    }
    refused.set(socket, cap);
    const timer = setTimeout(() => socket.destroy(), refusedSocketLingerMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    unlogged++;
    if (performance.now() - loggedAt >= refusalLogIntervalMs) {
      logger.warn({ address, cap, refused: unlogged, open: caps.open }, `connections refused past server.${cap}`);
      loggedAt = performance.now();
      unlogged = 0;
    }
  });
  return {
    refusalOf(socket) {
      const cap = refused.get(socket);
      return cap === undefined ? undefined : tooManyConnections(cap);
    },
  };
}

function tooManyConnections(cap: ConnectionCap): GatewayError {
  const whose = cap === "max_connections" ? "The gateway has" : "Your address has";
  return new GatewayError(`${whose} too many open connections (server.${cap}); close one or retry shortly.`, {
    status: 503,
    type: "server_error",
    code: "too_many_connections",
    retryAfterSeconds: 1,
  });
}
