/**
 * The instances of one service, in Redis: each registers its id and the address other instances
 * reach it at (`server.advertise_url`), and renews the record with a heartbeat. An instance whose
 * record has lapsed — SIGKILLed, frozen, cut off from Redis — is gone: what it owned is taken over
 * (conversation locks) or refused with a clear error (its waiting tool turns, its live sessions).
 *
 * Keys (under the store's prefix): `instance:<id>` → JSON, expiring `ttlMs` after the last beat.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export interface InstanceRecord {
  id: string;
  /** Where other instances send what this one owns (no trailing slash). */
  url: string;
  startedAt: number;
  /** Shutting down: it takes no forwarded work; what it owned is treated as gone. */
  draining: boolean;
}

/** Instance ids are `inst_` + hex: conversation lock holders start with them (see tryLock). */
export function newInstanceId(): string {
  return `inst_${randomBytes(8).toString("hex")}`;
}

const removeIfUnchanged = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

export class InstanceRegistry {
  private timer: NodeJS.Timeout | undefined;
  private record: InstanceRecord | undefined;
  private lastBeat: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly id: string,
    /** A record lapses this long after its last beat; beats come at a quarter of it. */
    private readonly ttlMs = 10_000,
  ) {}

  /** Registers this instance and keeps its record alive until `close`. */
  async register(url: string): Promise<void> {
    this.record = { id: this.id, url: url.replace(/\/+$/, ""), startedAt: Date.now(), draining: false };
    this.timer = setInterval(() => {
      // A missed beat is retried by the next; the record outlives three of them.
      this.lastBeat = this.beat().catch(() => {});
    }, this.ttlMs / 4);
    this.timer.unref();
    await this.beat();
  }

  /** Marks this instance as draining, at once (forwarders stop sending it work). */
  async drain(): Promise<void> {
    if (!this.record) return;
    this.record = { ...this.record, draining: true };
    await this.beat().catch(() => {});
  }

  /** A live instance's record; undefined when it is gone (or never was). */
  async get(id: string): Promise<InstanceRecord | undefined> {
    const json = await this.redis.get(this.key(id));
    return json ? (JSON.parse(json) as InstanceRecord) : undefined;
  }

  /** Every live instance, this one included. */
  async list(): Promise<InstanceRecord[]> {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await this.redis.scan(cursor, "MATCH", this.key("*"), "COUNT", 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values.flatMap((json) => (json ? [JSON.parse(json) as InstanceRecord] : []));
  }

  /**
   * Another instance refused a connection on its advertised address: nothing listens there, so it
   * is gone now, not when its record lapses (its conversation locks are free at once). Should it
   * be alive after all (a wrong advertise_url, a partition), its next beat brings the record back,
   * and a turn recorded meanwhile elsewhere makes its own stale write fail (revisions).
   */
  async forget(record: InstanceRecord): Promise<void> {
    if (record.id === this.id) return;
    // Only the record that was read: one renewed with news since (draining) is the instance's word.
    await this.redis.eval(removeIfUnchanged, 1, this.key(record.id), JSON.stringify(record));
  }

  /** Stops the heartbeat and removes the record: this instance is gone at once. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.lastBeat;
    if (this.record) await this.redis.del(this.key(this.id)).catch(() => {});
    this.record = undefined;
  }

  private async beat(): Promise<void> {
    if (!this.record) return;
    await this.redis.set(this.key(this.id), JSON.stringify(this.record), "PX", this.ttlMs);
  }

  private key(id: string): string {
    return `${this.prefix}instance:${id}`;
  }
}
