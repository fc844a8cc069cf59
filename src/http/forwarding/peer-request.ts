/**
 * One request to another instance, over HTTP/1.1 with node's client: no timeouts of fetch's (a
 * non-streamed turn may be silent for claude.timeout_seconds), kept-alive connections, and the
 * upgrade a WebSocket needs. The caller's key stays here: the peer gets the internal credential.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { InternalCredential } from "../../cluster/internal-credential.js";

// An idle connection is let go after 4 s, before the peer's server.keep_alive_timeout_seconds (5 s)
// would close it under a request (the agent's timeout ends only idle sockets).
const agents = {
  http: new HttpAgent({ keepAlive: true, timeout: 4_000 }),
  https: new HttpsAgent({ keepAlive: true, timeout: 4_000 }),
};

/**
 * A connection's own headers, which go no further than one hop (RFC 9110 §7.6.1) — and the
 * length, which node frames again for the next.
 */
export const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
]);

/** Never passed on to a peer: besides those, the caller's key and what a proxy in front said. */
const dropped = new Set([
  ...hopByHop,
  "authorization",
  "x-api-key",
  "host",
  "proxy-authorization",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
]);

export function passedHeaders(headers: Iterable<[string, string]>): OutgoingHttpHeaders {
  const passed: OutgoingHttpHeaders = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!dropped.has(lower) && !lower.startsWith("x-ccapi-")) passed[lower] = value;
  }
  return passed;
}

export interface PeerRequest {
  /** The peer's id and advertised base URL. */
  to: string;
  base: string;
  method: string;
  /** Path and query. */
  path: string;
  owner: string;
  headers: OutgoingHttpHeaders;
  credential: InternalCredential;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** For a WebSocket: the response is the upgrade (see forward-upgrade.ts). */
  upgrade?: boolean;
  /** The peer's answer (its status line) must have come within this long. */
  answerWithinMs: number;
}

/** A peer that does not even accept the connection in this long is not waited for. */
const connectWithinMs = 5_000;

function timedOut(what: string): Error {
  return Object.assign(new Error(`the peer did not ${what} in time`), { code: "ETIMEDOUT" });
}

/** Sends the request; resolves with the peer's response (or its upgrade's socket, for WebSockets). */
export async function sendToPeer(peer: PeerRequest) {
  const url = new URL(peer.path, `${peer.base}/`);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = { ...peer.headers, ...(await peer.credential.headers(peer)) };
  if (peer.body) headers["content-length"] = String(peer.body.byteLength);
  const outgoing = send(url, {
    method: peer.method,
    headers,
    // An upgraded socket is never returned to a pool.
    agent: peer.upgrade ? false : url.protocol === "https:" ? agents.https : agents.http,
    signal: peer.signal,
  });
  const answerTimer = setTimeout(() => outgoing.destroy(timedOut("answer")), peer.answerWithinMs);
  const answered = () => clearTimeout(answerTimer);
  for (const event of ["response", "upgrade", "close"]) outgoing.once(event, answered);
  outgoing.once("socket", (socket) => {
    if (!socket.connecting) return;
    const connectTimer = setTimeout(() => outgoing.destroy(timedOut("connect")), connectWithinMs);
    socket.once("connect", () => clearTimeout(connectTimer));
    socket.once("close", () => clearTimeout(connectTimer));
  });
  outgoing.end(peer.body);
  return outgoing;
}

function responseOf(outgoing: ClientRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
  });
}

/**
 * The peer's response. A kept-alive connection the peer closed just as it was reused fails before
 * the peer read anything: that one is sent again, once, on a new connection.
 */
export async function exchangeWithPeer(peer: PeerRequest): Promise<IncomingMessage> {
  const outgoing = await sendToPeer(peer);
  try {
    return await responseOf(outgoing);
  } catch (error) {
    if (!outgoing.reusedSocket || (error as { code?: string }).code !== "ECONNRESET") throw error;
    return responseOf(await sendToPeer(peer));
  }
}
