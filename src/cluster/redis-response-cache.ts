/**
 * The response cache in the store's Redis, shared by every instance: a request answered on one is a
 * hit on all. Per owner (the keys' `${owner}:` part): at most `maxEntries` answers, the least
 * recently used evicted first (an index sorted by last use), each kept for the TTL; an answer whose
 * JSON exceeds `maxEntryBytes` (1 MiB) is not kept. Lookups are JSON-parsed back into `T`, so `T`
 * must survive JSON (KeptAnswer does: kept-answer-json.test.ts).
 *
 * Single flight across instances: the first miss takes a pending marker (SET NX PX) and renews it
 * while it runs; an identical miss anywhere polls until the answer is kept (a hit), or the run ends
 * without one or its marker lapses — its instance died — and then runs its own, as it would in one
 * instance. The waiter's deadline still applies.
 *
 * The cache only saves work: when Redis fails, a lookup is a miss (the request runs, nobody waits
 * for it) and an answer is not kept; the failure goes to the log.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { ResponseCache } from "../cache/response-cache.js";
import { unlockScript } from "../store/redis-scripts.js";
import { withTimeout } from "../with-timeout.js";
import { cacheLookupScript, cacheRenewScript, cacheStoreScript } from "./cluster-scripts.js";

export interface RedisResponseCacheOptions {
  /** Answers kept per owner. */
  maxEntries: number;
  ttlMs: number;
  /** Largest answer kept, in bytes of JSON. */
  maxEntryBytes?: number;
  /** How long a run's pending marker lasts unless renewed: the longest a dead instance's run is waited for. */
  pendingTtlMs?: number;
  /** How often a waiting request looks again. */
  pollMs?: number;
  /** Longest one Redis call may take before it counts as failed. */
  timeoutMs?: number;
  /** Told of each failure to reach Redis. */
  onError?(error: unknown): void;
}

const noop = () => {};

type LookupVerdict = ["hit", string] | ["run"] | ["wait", string] | ["alone"];

export class RedisResponseCache<T> implements ResponseCache<T> {
  /** Pending markers this instance holds: cache key → the token they carry. */
  private readonly running = new Map<string, string>();
  /** Runs here of a key the cluster did not make wait ("alone"): they never hold its marker. */
  private readonly alone = new Map<string, number>();
  private readonly renewal: NodeJS.Timeout;
  private readonly settings: Required<Omit<RedisResponseCacheOptions, "onError">>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: RedisResponseCacheOptions,
  ) {
    this.settings = { maxEntryBytes: 1024 * 1024, pendingTtlMs: 15_000, pollMs: 100, timeoutMs: 2_000, ...options };
    this.renewal = setInterval(() => void this.renew(), this.settings.pendingTtlMs / 3);
    this.renewal.unref();
  }

  async lookup(key: string, signal?: AbortSignal): Promise<T | undefined> {
    let awaited = "";
    for (;;) {
      signal?.throwIfAborted();
      const token = randomBytes(12).toString("hex");
      const asked = this.redis.eval(
        cacheLookupScript,
        3,
        ...this.keys(key),
        key,
        token,
        awaited,
        this.settings.pendingTtlMs,
      ) as Promise<LookupVerdict>;
      let verdict: LookupVerdict;
      try {
        verdict = await this.bounded(asked);
      } catch (error) {
        // A marker taken after all would make others wait for a run nobody does: cleared once known.
        asked.then(([outcome]) => {
          if (outcome === "run") void this.clearMarker(key, token);
        }, noop);
        this.options.onError?.(error);
        return undefined;
      }
      switch (verdict[0]) {
        case "hit":
          return JSON.parse(verdict[1]) as T;
        case "run":
          this.running.set(key, token);
          return undefined;
        case "alone":
          this.alone.set(key, (this.alone.get(key) ?? 0) + 1);
          return undefined;
        case "wait":
          awaited = verdict[1];
          // Aborted: the loop's check throws the signal's reason.
          await sleep(this.settings.pollMs, undefined, { signal }).catch(() => {});
      }
    }
  }

  async store(key: string, completion: T): Promise<void> {
    const token = this.finish(key) ?? "";
    const json = JSON.stringify(completion);
    if (Buffer.byteLength(json) > this.settings.maxEntryBytes) return this.clearMarker(key, token);
    const { ttlMs, maxEntries } = this.options;
    const entryPrefix = `${this.prefix}cache:`;
    await this.bounded(
      this.redis.eval(
        cacheStoreScript,
        3,
        ...this.keys(key),
        key,
        json,
        Math.ceil(ttlMs),
        maxEntries,
        token,
        entryPrefix,
      ),
    ).catch((error: unknown) => this.options.onError?.(error));
  }

  async abandon(key: string): Promise<void> {
    const token = this.finish(key);
    if (token) await this.clearMarker(key, token);
  }

  /**
   * The marker's token for a run of `key` that ends here — unless runs of it that went alone are
   * still counted: which of the two ended cannot be told, so the marker goes with the last one
   * (never before the run holding it has ended; at worst a little after).
   */
  private finish(key: string): string | undefined {
    const alone = this.alone.get(key) ?? 0;
    if (alone > 0) {
      if (alone === 1) this.alone.delete(key);
      else this.alone.set(key, alone - 1);
      return undefined;
    }
    const token = this.running.get(key);
    this.running.delete(key);
    return token;
  }

  /** Stops renewing: markers still held here lapse. The client stays open (not ours). */
  close(): void {
    clearInterval(this.renewal);
  }

  private async clearMarker(key: string, token: string): Promise<void> {
    if (!token) return;
    const [, pending] = this.keys(key);
    await this.bounded(this.redis.eval(unlockScript, 1, pending, token)).catch((error: unknown) =>
      this.options.onError?.(error),
    );
  }

  /** Extends the markers of the runs going on here, in one round trip. */
  private async renew(): Promise<void> {
    if (this.running.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, token] of this.running) {
      pipeline.eval(cacheRenewScript, 1, this.keys(key)[1], token, this.settings.pendingTtlMs);
    }
    await this.bounded(pipeline.exec()).catch(() => {}); // a marker lapses only after a whole TTL unrenewed
  }

  private bounded<V>(promise: Promise<V>): Promise<V> {
    const { timeoutMs } = this.settings;
    return withTimeout(promise, timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
  }

  /** The entry, its pending marker and its owner's index. Keys are `${owner}:<hex hash>`. */
  private keys(key: string): [string, string, string] {
    const owner = key.slice(0, Math.max(0, key.lastIndexOf(":")));
    return [`${this.prefix}cache:${key}`, `${this.prefix}cache-pending:${key}`, `${this.prefix}cache-index:${owner}`];
  }
}
