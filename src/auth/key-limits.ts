/**
 * Per-key limits: requests started per minute (a sliding window) and requests in flight. In memory,
 * per gateway instance (documented): behind a load balancer each instance applies them on its own.
 */
import { GatewayError } from "../errors.js";

export class KeyLimits {
  private readonly started = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly perMinute: number | undefined,
    private readonly concurrent: number | undefined,
  ) {}

  /** Admits one request of `owner`, or throws 429 with Retry-After; call the result when it ends. */
  admit(owner: string, now = Date.now()): () => void {
    const recent = (this.started.get(owner) ?? []).filter((time) => now - time < 60_000);
    if (this.perMinute !== undefined && recent.length >= this.perMinute) {
      const retryAfter = Math.max(1, Math.ceil((60_000 - (now - (recent[0] ?? now))) / 1000));
      throw limited(`This key may start ${this.perMinute} requests per minute.`, "rate_limit_exceeded", retryAfter);
    }
    const running = this.inFlight.get(owner) ?? 0;
    if (this.concurrent !== undefined && running >= this.concurrent) {
      throw limited(
        `This key may have ${this.concurrent} requests in flight at once.`,
        "too_many_concurrent_requests",
        1,
      );
    }
    // Counted only once admitted: a refused request uses up nothing.
    if (this.perMinute !== undefined) this.started.set(owner, [...recent, now]);
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
