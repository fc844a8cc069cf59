/**
 * Per-key limits counted across every instance sharing the Redis store: a key gets its numbers once
 * however many instances serve it. Both limits are checked and taken in one script (admitScript),
 * so two instances never both take the last slot, and a refused request uses up nothing.
 *
 * Requests per minute: a true sliding window, the admissions of the last minute in a sorted set.
 * Requests in flight: leases in a sorted set scored by when they lapse. The instance holding a lease
 * renews it while its request runs; one that dies (SIGKILL, a lost host) stops renewing, and its
 * leases lapse within the lease TTL (30 s) instead of holding the key's slots for ever.
 *
 * Times are the instances' clocks (Unix ms): they must agree to within a small part of a minute,
 * as NTP keeps them. When Redis cannot answer within `timeoutMs` the request gets the store's 503.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Caller } from "../auth/caller.js";
import {
  type AdmitOptions,
  type KeyLimits,
  rateLimited,
  secondsUntilOutOfWindow,
  tooManyConcurrent,
  unlimited,
} from "../auth/key-limits.js";
import { storeUnavailable } from "../store/store-unavailable.js";
import { withTimeout } from "../with-timeout.js";
import { admitScript } from "./cluster-scripts.js";

export interface RedisKeyLimitsOptions {
  /** How long a lease lasts unless renewed: what a dead instance's requests hold at most. */
  leaseTtlMs?: number;
  /** How often the leases held here are renewed (well within the TTL). */
  renewEveryMs?: number;
  /** Longest an admission waits for Redis before the request is refused with 503. */
  timeoutMs?: number;
}

type Verdict = ["admitted"] | ["rate", string] | ["concurrent"];

export class RedisKeyLimits implements KeyLimits {
  /** Leases this instance holds: id → owner. */
  private readonly leases = new Map<string, string>();
  private readonly renewal: NodeJS.Timeout;
  private renewing = false;
  private readonly leaseTtlMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    { leaseTtlMs = 30_000, renewEveryMs = 10_000, timeoutMs = 3_000 }: RedisKeyLimitsOptions = {},
  ) {
    this.leaseTtlMs = leaseTtlMs;
    this.timeoutMs = timeoutMs;
    this.renewal = setInterval(() => void this.renew(), renewEveryMs);
    this.renewal.unref();
  }

  async admit(
    caller: Pick<Caller, "owner" | "limits">,
    now = Date.now(),
    { inFlight = true }: AdmitOptions = {},
  ): Promise<() => void> {
    const { owner } = caller;
    const perMinute = caller.limits.requestsPerMinute;
    const concurrent = inFlight ? caller.limits.maxConcurrentRequests : undefined;
    if (perMinute === undefined && concurrent === undefined) return unlimited;
    const id = randomBytes(12).toString("hex");
    const asked = this.redis.eval(
      admitScript,
      2,
      this.key("started", owner),
      this.key("running", owner),
      now,
      perMinute ?? "",
      concurrent ?? "",
      id,
      this.leaseTtlMs,
    ) as Promise<Verdict>;
    let verdict: Verdict;
    try {
      verdict = await withTimeout(asked, this.timeoutMs, `Redis did not answer within ${this.timeoutMs} ms`);
    } catch (error) {
      // An admission that lands after all must not hold a slot nobody renews: given back at once.
      asked.then(
        ([outcome]) => outcome === "admitted" && this.giveBack(owner, id),
        () => {},
      );
      throw storeUnavailable(error);
    }
    if (verdict[0] === "rate") throw rateLimited(perMinute ?? 0, secondsUntilOutOfWindow(Number(verdict[1]), now));
    if (verdict[0] === "concurrent") throw tooManyConcurrent(concurrent ?? 0);
    if (concurrent === undefined) return unlimited;
    this.leases.set(id, owner);
    return () => {
      if (!this.leases.delete(id)) return;
      this.giveBack(owner, id);
    };
  }

  /** Stops renewing: leases still held here lapse within the TTL. The client stays open (not ours). */
  close(): void {
    clearInterval(this.renewal);
  }

  /** Ends a lease now; if Redis cannot be told, it lapses within the TTL. */
  private giveBack(owner: string, id: string): void {
    this.redis.zrem(this.key("running", owner), id).catch(() => {});
  }

  /**
   * Moves every lease held here a TTL ahead, in one round trip. XX: a lease that lapsed meanwhile
   * (Redis unreachable for a whole TTL) is not taken back, since its slot may be another's by now.
   */
  private async renew(): Promise<void> {
    if (this.renewing || this.leases.size === 0) return;
    this.renewing = true;
    const byOwner = new Map<string, string[]>();
    for (const [id, owner] of this.leases) byOwner.set(owner, [...(byOwner.get(owner) ?? []), id]);
    const lapsesAt = Date.now() + this.leaseTtlMs;
    const pipeline = this.redis.pipeline();
    for (const [owner, ids] of byOwner) {
      const running = this.key("running", owner);
      pipeline.zadd(running, "XX", ...ids.flatMap((id) => [lapsesAt, id]));
      pipeline.pexpire(running, this.leaseTtlMs);
    }
    try {
      await withTimeout(pipeline.exec(), this.timeoutMs, "renewing leases timed out");
    } catch {
      // Tried again at the next renewal; a lease lapses only after a whole TTL without one.
    } finally {
      this.renewing = false;
    }
  }

  private key(kind: "started" | "running", owner: string): string {
    return `${this.prefix}limits:${kind}:${owner}`;
  }
}
