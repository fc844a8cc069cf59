/**
 * A request for work another instance holds (a turn waiting for these tool results, a live
 * session), sent there and its answer — streamed or not — passed back as it comes. The instance
 * here keeps the caller's place (its key's limits, the request in flight) until the answer ends.
 * A peer that refuses the connection or is shutting down has lost that work: OwnerGone, and the
 * request is this instance's to answer after all (send-owned-elsewhere.ts).
 */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { Context } from "hono";
import { ownerUnreachable } from "../../cluster/cluster-errors.js";
import type { InstanceRecord } from "../../cluster/instance-registry.js";
import type { InternalCredential } from "../../cluster/internal-credential.js";
import type { GatewayEnv } from "../gateway-env.js";
import { exchangeWithPeer, hopByHop, passedHeaders } from "./peer-request.js";

/** The instance holding the work is gone: it refused the connection, or is shutting down. */
export class OwnerGone extends Error {
  constructor(readonly refused: boolean) {
    super(refused ? "the instance refused the connection" : "the instance is shutting down");
  }
}

export interface Forwarding {
  instance: InstanceRecord;
  credential: InternalCredential;
  /** Its answer (the status line) must have come within this long: a turn's longest, and then some. */
  answerWithinMs: number;
  /** How it went (metrics). */
  outcome(outcome: ForwardOutcome): void;
}

export type ForwardOutcome = "sent" | "gone" | "unreachable";

export async function forwardRequest(context: Context<GatewayEnv>, to: Forwarding): Promise<Response> {
  const { instance, credential } = to;
  const url = new URL(context.req.url);
  const method = context.req.method;
  const body = method === "GET" || method === "HEAD" ? undefined : new Uint8Array(await context.req.arrayBuffer());
  const headers = passedHeaders(context.req.raw.headers);
  headers["x-request-id"] = context.get("requestId");
  let answer: IncomingMessage;
  try {
    answer = await exchangeWithPeer({
      to: instance.id,
      base: instance.url,
      answerWithinMs: to.answerWithinMs,
      method,
      path: url.pathname + url.search,
      owner: context.get("owner"),
      headers,
      credential,
      body,
      signal: context.req.raw.signal,
    });
  } catch (error) {
    const refused = (error as { code?: string }).code === "ECONNREFUSED";
    to.outcome(refused ? "gone" : "unreachable");
    throw refused ? new OwnerGone(true) : ownerUnreachable(error);
  }
  if (answer.statusCode === 503 && answer.headers["x-error-code"] === "shutting_down") {
    answer.resume();
    to.outcome("gone");
    throw new OwnerGone(false);
  }
  to.outcome("sent");
  const passed = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || hopByHop.has(name)) continue;
    for (const each of Array.isArray(value) ? value : [value]) passed.append(name, each);
  }
  const stream = method === "HEAD" ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
  return new Response(stream, { status: answer.statusCode ?? 502, headers: passed });
}
