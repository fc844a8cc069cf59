/**
 * Per-key limits: requests started per minute (a sliding window) and requests in flight, each key
 * with its own numbers (its `auth.keys` entry, else the `auth.*` defaults). Counted in memory by
 * one instance alone (memory-key-limits.ts), or across the instances sharing a Redis store
 * (cluster/redis-key-limits.ts); both refuse with the errors below, so a client cannot tell which.
 */
import { GatewayError } from "../errors.js";
import type { Caller } from "./caller.js";

export interface AdmitOptions {
  /** false: a request that is over at once (a WebSocket join) counts per minute only. */
  inFlight?: boolean;
}

export interface KeyLimits {
  /**
   * Admits one request of `caller`, or rejects with 429 (Retry-After); call the result when the
   * request ends (idempotent). A refused request uses up nothing. `now`: Unix ms.
   */
  admit(caller: Pick<Caller, "owner" | "limits">, now?: number, options?: AdmitOptions): Promise<() => void>;
}

/** What an admission that counts nothing gives back. */
export const unlimited = () => {};

/** The key started `perMinute` requests within the last minute; the oldest leaves the window in `retryAfterSeconds`. */
export function rateLimited(perMinute: number, retryAfterSeconds: number): GatewayError {
  return limited(`This key may start ${perMinute} requests per minute.`, "rate_limit_exceeded", retryAfterSeconds);
}

export function tooManyConcurrent(concurrent: number): GatewayError {
  return limited(`This key may have ${concurrent} requests in flight at once.`, "too_many_concurrent_requests", 1);
}

/**
 * Seconds until the admission at `oldest` (Unix ms) leaves the one-minute window: 1 to 60, also
 * when `oldest` was taken by another instance whose clock runs a little ahead.
 */
export function secondsUntilOutOfWindow(oldest: number, now: number): number {
  return Math.min(60, Math.max(1, Math.ceil((60_000 - (now - oldest)) / 1000)));
}

function limited(message: string, code: string, retryAfterSeconds: number): GatewayError {
  return new GatewayError(message, { status: 429, type: "rate_limit_error", code, retryAfterSeconds });
}
