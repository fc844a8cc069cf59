/**
 * Per-key limits counted in this instance's memory: for a gateway alone (SQLite store). Instances
 * sharing a Redis store count together instead (cluster/redis-key-limits.ts).
 */
import type { Caller } from "./caller.js";
import {
  type AdmitOptions,
  type KeyLimits,
  rateLimited,
  secondsUntilOutOfWindow,
  tooManyConcurrent,
  unlimited,
} from "./key-limits.js";

export class MemoryKeyLimits implements KeyLimits {
  private readonly started = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  async admit(
    caller: Pick<Caller, "owner" | "limits">,
    now = Date.now(),
    { inFlight = true }: AdmitOptions = {},
  ): Promise<() => void> {
    const { owner } = caller;
    const { requestsPerMinute: perMinute } = caller.limits;
    const concurrent = inFlight ? caller.limits.maxConcurrentRequests : undefined;
    if (perMinute === undefined && concurrent === undefined) return unlimited;
    const recent = (this.started.get(owner) ?? []).filter((time) => now - time < 60_000);
    if (perMinute !== undefined && recent.length >= perMinute) {
      throw rateLimited(perMinute, secondsUntilOutOfWindow(recent[0] ?? now, now));
    }
    const running = this.inFlight.get(owner) ?? 0;
    if (concurrent !== undefined && running >= concurrent) throw tooManyConcurrent(concurrent);
    // Counted only once admitted: a refused request uses up nothing.
    if (perMinute !== undefined) this.started.set(owner, [...recent, now]);
    if (!inFlight) return unlimited;
    this.inFlight.set(owner, running + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.inFlight.get(owner) ?? 1) - 1;
      if (left > 0) this.inFlight.set(owner, left);
      else this.inFlight.delete(owner);
    };
  }
}
