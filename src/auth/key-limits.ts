/**
 * Per-key limits: requests started per minute (a sliding window) and requests in flight, each key
 * with its own numbers (its `auth.keys` entry, else the `auth.*` defaults). In memory, per gateway
 * instance (documented): behind a load balancer each instance applies them on its own.
 */
import { GatewayError } from "../errors.js";
import type { Caller } from "./caller.js";

const unlimited = () => {};

export class KeyLimits {
  private readonly started = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  /**
   * Admits one request of `caller`, or throws 429 with Retry-After; call the result when it ends.
   * `inFlight: false`: a request that is over at once (a WebSocket join) counts per minute only.
   */
  admit(caller: Pick<Caller, "owner" | "limits">, now = Date.now(), { inFlight = true } = {}): () => void {
    const { owner } = caller;
    const { requestsPerMinute: perMinute } = caller.limits;
    const concurrent = inFlight ? caller.limits.maxConcurrentRequests : undefined;
    if (perMinute === undefined && concurrent === undefined) return unlimited;
    const recent = (this.started.get(owner) ?? []).filter((time) => now - time < 60_000);
    if (perMinute !== undefined && recent.length >= perMinute) {
      const retryAfter = Math.max(1, Math.ceil((60_000 - (now - (recent[0] ?? now))) / 1000));
      throw limited(`This key may start ${perMinute} requests per minute.`, "rate_limit_exceeded", retryAfter);
    }
    const running = this.inFlight.get(owner) ?? 0;
    if (concurrent !== undefined && running >= concurrent) {
      throw limited(`This key may have ${concurrent} requests in flight at once.`, "too_many_concurrent_requests", 1);
    }
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

function limited(message: string, code: string, retryAfterSeconds: number): GatewayError {
  return new GatewayError(message, { status: 429, type: "rate_limit_error", code, retryAfterSeconds });
}
