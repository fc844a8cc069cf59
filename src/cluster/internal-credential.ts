/**
 * How one instance tells another "this request is mine to send you, on behalf of this owner": an
 * HMAC with a secret only the instances know (kept in Redis, which every instance — and nobody
 * else — can read; whoever reads Redis reads every conversation anyway). It covers the sender, the
 * time, a nonce, the receiving instance, the owner, the method and the path; the receiver takes
 * each nonce once (in Redis), so a captured header is worth nothing after the request it came with,
 * and only ever at the instance it was meant for. The CLI never sees it: it lives in memory.
 *
 * The secret is read again on every heartbeat: should Redis lose it (a restart without
 * persistence, a failover, an eviction), the instances write back the one they have and agree on
 * whatever Redis then holds, the one they had still accepted for a minute.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";

export const forwardedHeader = "x-ccapi-forwarded";
export const forwardedOwnerHeader = "x-ccapi-owner";

const maxSkewMs = 60_000;

/** The cluster's secret: `preferred` (or a new one) if Redis has none, else the one it has. */
export async function readClusterSecret(redis: Redis, prefix: string, preferred?: Buffer): Promise<Buffer> {
  const key = `${prefix}cluster-secret`;
  await redis.set(key, (preferred ?? randomBytes(32)).toString("hex"), "NX");
  const secret = await redis.get(key);
  if (!secret) throw new Error("the cluster secret vanished from Redis");
  return Buffer.from(secret, "hex");
}

export interface ForwardedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  owner: string;
  /** The instance it is sent to. */
  to: string;
}

/** Takes a nonce once: false when it was seen before. */
export type NonceLedger = (nonce: string, ttlMs: number) => Promise<boolean>;

export class InternalCredential {
  private previous: { secret: Buffer; until: number } | undefined;
  private secret: Buffer | undefined;

  /** `readSecret`: the cluster's secret (see readClusterSecret), given the one this instance has. */
  constructor(
    private readonly instanceId: string,
    private readonly readSecret: (preferred: Buffer | undefined) => Promise<Buffer>,
    private readonly nonces: NonceLedger,
  ) {}

  /** Reads the secret again (each heartbeat): should Redis hold another now, that one is used. */
  async refresh(now = Date.now()): Promise<void> {
    const secret = await this.readSecret(this.secret);
    if (this.secret && !secret.equals(this.secret)) this.previous = { secret: this.secret, until: now + maxSkewMs };
    this.secret = secret;
  }

  /** The headers a forwarded request carries instead of the caller's key. */
  async headers(request: ForwardedRequest, now = Date.now()): Promise<Record<string, string>> {
    const secret = await this.known();
    const stamp = `${this.instanceId}.${now}.${randomBytes(12).toString("hex")}`;
    return {
      [forwardedHeader]: `${stamp}.${sign(secret, stamp, request)}`,
      [forwardedOwnerHeader]: request.owner,
    };
  }

  /** The secret, read first if Redis could not be asked yet (it was down when this instance started). */
  private async known(): Promise<Buffer> {
    if (!this.secret) await this.refresh();
    return this.secret as Buffer;
  }

  /**
   * The owner a forwarded request acts for; undefined when its credential is not genuine, is for
   * another instance, is too old, or was used before.
   */
  async verify(
    header: string | undefined,
    request: { method: string; path: string; owner: string | undefined },
    now = Date.now(),
  ): Promise<string | undefined> {
    const match = /^(inst_[0-9a-f]{16})\.(\d{1,15})\.([0-9a-f]{24})\.([0-9a-f]{64})$/.exec(header ?? "");
    const { owner } = request;
    if (!match || owner === undefined) return undefined;
    const [, sender, time, nonce, signature] = match as unknown as [string, string, string, string, string];
    if (Math.abs(now - Number(time)) > maxSkewMs) return undefined;
    const given = Buffer.from(signature, "hex");
    const signed = { ...request, owner, to: this.instanceId };
    const secrets = [await this.known(), ...(this.previous && this.previous.until > now ? [this.previous.secret] : [])];
    const genuine = secrets.some((secret) =>
      timingSafeEqual(given, Buffer.from(sign(secret, `${sender}.${time}.${nonce}`, signed), "hex")),
    );
    if (!genuine || !(await this.nonces(`${sender}.${nonce}`, 2 * maxSkewMs))) return undefined;
    return owner;
  }
}

function sign(secret: Buffer, stamp: string, { method, path, owner, to }: ForwardedRequest): string {
  return createHmac("sha256", secret).update([stamp, to, owner, method.toUpperCase(), path].join("\n")).digest("hex");
}
