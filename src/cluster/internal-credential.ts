/**
 * How one instance tells another "this request is mine to forward, on behalf of this owner": an
 * HMAC with a secret only the instances know (kept in Redis, which every instance — and nobody
 * else — can read; whoever reads Redis reads every conversation anyway). It covers the sender, the
 * time, the owner, the method and the path, so a captured header is worth one request for a minute
 * at most, for that path only. The CLI never sees it: it lives in the gateway's memory.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";

export const forwardedHeader = "x-ccapi-forwarded";
export const forwardedOwnerHeader = "x-ccapi-owner";

const maxSkewMs = 60_000;

/** The cluster's secret: made by the first instance that asks, read by every later one. */
export async function readClusterSecret(redis: Redis, prefix: string): Promise<Buffer> {
  const key = `${prefix}cluster-secret`;
  await redis.set(key, randomBytes(32).toString("hex"), "NX");
  const secret = await redis.get(key);
  if (!secret) throw new Error("the cluster secret vanished from Redis");
  return Buffer.from(secret, "hex");
}

export interface ForwardedRequest {
  method: string;
  /** Path and query, as sent to the owner. */
  path: string;
  owner: string;
}

export class InternalCredential {
  constructor(
    private readonly secret: Buffer,
    private readonly instanceId: string,
  ) {}

  /** The headers a forwarded request carries instead of the caller's key. */
  headers(request: ForwardedRequest, now = Date.now()): Record<string, string> {
    const stamp = `${this.instanceId}.${now}`;
    return {
      [forwardedHeader]: `${stamp}.${this.sign(stamp, request)}`,
      [forwardedOwnerHeader]: request.owner,
    };
  }

  /** The owner a forwarded request acts for, or undefined when its credential is not genuine or too old. */
  verify(
    header: string | undefined,
    request: Omit<ForwardedRequest, "owner"> & { owner: string | undefined },
    now = Date.now(),
  ): string | undefined {
    const match = /^(inst_[0-9a-f]+)\.(\d{1,15})\.([0-9a-f]{64})$/.exec(header ?? "");
    if (!match || request.owner === undefined) return undefined;
    const [, sender, time, signature] = match as unknown as [string, string, string, string];
    if (Math.abs(now - Number(time)) > maxSkewMs) return undefined;
    const expected = Buffer.from(this.sign(`${sender}.${time}`, { ...request, owner: request.owner }), "hex");
    const given = Buffer.from(signature, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected) ? request.owner : undefined;
  }

  private sign(stamp: string, { method, path, owner }: ForwardedRequest): string {
    return createHmac("sha256", this.secret)
      .update([stamp, owner, method.toUpperCase(), path].join("\n"))
      .digest("hex");
  }
}
