/**
 * Held processes across instances: each instance publishes what each owner holds committed there
 * (hash `holdings:<instance>`, lapsing after `ttlMs` unless published again) every `refreshEveryMs`
 * and a tick after each change, and learns the other instances' sums in the same round trip
 * (holdingsScript). The pool reads those sums synchronously; they are as old as the last round trip.
 *
 * How close that is: a process taken on instance A is counted by instance B once A has published
 * it (a tick later, one round trip) and B has refreshed (within `refreshEveryMs`). Within that
 * window both may take processes for one key, so a key can exceed its cap by what the other
 * instances took within the last refresh — about one second — never for longer. An instance that
 * dies stops publishing, and what it held stops counting within `ttlMs`; one that cannot reach
 * Redis for `ttlMs` counts nothing elsewhere, as the others' hashes have lapsed by then too.
 */
import type { Redis } from "ioredis";
import type { SharedHoldings } from "../pool/shared-holdings.js";
import { withTimeout } from "../with-timeout.js";
import { holdingsScript } from "./cluster-scripts.js";

export interface RedisHoldingsOptions {
  refreshEveryMs?: number;
  /** How long what an instance published counts without being published again. */
  ttlMs?: number;
  /** Longest one round trip may take. */
  timeoutMs?: number;
  /** Told when publishing starts failing (once, not every second). */
  onError?(error: unknown): void;
}

export class RedisHoldings implements SharedHoldings {
  private elsewhere = new Map<string, number>();
  /** When the round trip that learnt `elsewhere` began (Unix ms). */
  private heardAt = 0;
  private count: () => ReadonlyMap<string, number> = () => new Map();
  private readonly refresh: NodeJS.Timeout;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private publishing: Promise<void> | undefined;
  private again = false;
  private soon = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly instanceId: string,
    private readonly options: RedisHoldingsOptions = {},
  ) {
    const { refreshEveryMs = 1_000, ttlMs = 3_000, timeoutMs = 1_000 } = options;
    this.ttlMs = ttlMs;
    this.timeoutMs = timeoutMs;
    this.refresh = setInterval(() => this.publish(), refreshEveryMs);
    this.refresh.unref();
    this.publish();
  }

  heldElsewhere(owner: string): number {
    // Not heard for a whole TTL: what the others published has lapsed in Redis as well.
    if (Date.now() - this.heardAt > this.ttlMs) return 0;
    return this.elsewhere.get(owner) ?? 0;
  }

  publishFrom(count: () => ReadonlyMap<string, number>): void {
    this.count = count;
    this.publish();
  }

  changed(): void {
    if (this.soon || this.closed) return;
    this.soon = true;
    // A tick later: the pool tells of a change before it has finished making it.
    setImmediate(() => {
      this.soon = false;
      this.publish();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.refresh);
    await this.publishing;
    // Withdrawn at once rather than left to lapse.
    await withTimeout(
      this.redis.multi().del(this.key(this.instanceId)).zrem(this.key(), this.instanceId).exec(),
      this.timeoutMs,
      "withdrawing holdings timed out",
    ).catch(() => {});
  }

  /** One round trip at a time; a change meanwhile is published right after it. */
  private publish(): void {
    if (this.closed) return;
    if (this.publishing) {
      this.again = true;
      return;
    }
    this.publishing = this.roundTrip().finally(() => {
      this.publishing = undefined;
      if (this.again) {
        this.again = false;
        this.publish();
      }
    });
  }

  private async roundTrip(): Promise<void> {
    const askedAt = Date.now();
    const counts = JSON.stringify(Object.fromEntries(this.count()));
    try {
      const answer = await withTimeout(
        this.redis.eval(holdingsScript, 0, this.prefix, this.instanceId, this.ttlMs, counts) as Promise<string>,
        this.timeoutMs,
        `Redis did not answer within ${this.timeoutMs} ms`,
      );
      this.elsewhere = new Map(Object.entries(JSON.parse(answer) as Record<string, number>));
      this.heardAt = askedAt;
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.onError?.(error);
      this.failing = true;
    }
  }

  private key(instance?: string): string {
    return instance === undefined ? `${this.prefix}holdings` : `${this.prefix}holdings:${instance}`;
  }
}
