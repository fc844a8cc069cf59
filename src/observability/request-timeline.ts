/**
 * The last hour of requests in fixed buckets (10 s by default), for the operator page's chart:
 * how many, how many failed, and their latency. A ring of buckets, each stamped with the start of
 * its slot: a slot not written for a whole round is stale and reads as empty, so a quiet gateway
 * spends nothing to keep it current and memory stays the same whatever the traffic.
 */

export interface TimelineBucket {
  /** Start of the bucket, in Unix seconds. */
  start: number;
  requests: number;
  /** Answered with a 5xx status. */
  errors: number;
  latency_ms_mean: number;
  latency_ms_max: number;
}

interface Slot {
  start: number;
  requests: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export class RequestTimeline {
  private readonly slots: Slot[];

  constructor(
    readonly bucketSeconds = 10,
    readonly spanSeconds = 3600,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = Array.from({ length: Math.ceil(spanSeconds / bucketSeconds) }, () => ({
      start: -1,
      requests: 0,
      errors: 0,
      totalMs: 0,
      maxMs: 0,
    }));
  }

  record(status: number, milliseconds: number): void {
    const start = this.bucketStart(this.now());
    const slot = this.slots[(start / this.bucketSeconds) % this.slots.length] as Slot;
    if (slot.start !== start) Object.assign(slot, { start, requests: 0, errors: 0, totalMs: 0, maxMs: 0 });
    slot.requests++;
    if (status >= 500) slot.errors++;
    slot.totalMs += milliseconds;
    slot.maxMs = Math.max(slot.maxMs, milliseconds);
  }

  /** The buckets of the span that saw requests, oldest first; a missing bucket had none. */
  buckets(): TimelineBucket[] {
    const current = this.bucketStart(this.now());
    const oldest = current - (this.slots.length - 1) * this.bucketSeconds;
    return this.slots
      .filter((slot) => slot.start >= oldest && slot.start <= current && slot.requests > 0)
      .sort((a, b) => a.start - b.start)
      .map((slot) => ({
        start: slot.start,
        requests: slot.requests,
        errors: slot.errors,
        latency_ms_mean: Math.round(slot.totalMs / slot.requests),
        latency_ms_max: Math.round(slot.maxMs),
      }));
  }

  /** The /stats document's part: the bucket size, the span's ends and its buckets. */
  toJSON() {
    const to = this.bucketStart(this.now()) + this.bucketSeconds;
    return {
      bucket_seconds: this.bucketSeconds,
      from: to - this.slots.length * this.bucketSeconds,
      to,
      buckets: this.buckets(),
    };
  }

  private bucketStart(milliseconds: number): number {
    const seconds = Math.floor(milliseconds / 1000);
    return seconds - (seconds % this.bucketSeconds);
  }
}
