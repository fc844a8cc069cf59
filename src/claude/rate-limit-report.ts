/**
 * What one `rate_limit_event` line says about one usage window of the subscription. The CLI's
 * `rate_limit_info` names a single window (`rateLimitType`: the API's representative claim, or the
 * window whose threshold was passed); a line that names none, or has no status, says nothing about
 * any window. Numbers are the API's headers as the CLI read them: `resetsAt` in Unix seconds,
 * `utilization` a fraction (0.8 is 80 %), present only when the line warns.
 */
import type { RateLimitEventLine } from "./protocol.js";

export interface RateLimitReport {
  /** five_hour, seven_day, seven_day_opus, seven_day_sonnet, seven_day_overage_included, overage. */
  window: string;
  /** allowed, allowed_warning or rejected. */
  status: string;
  utilization: number | undefined;
  resetsAt: Date | undefined;
}

/**
 * The windows and statuses the API has: the numbers come from whatever answered the CLI (the API,
 * or a proxy in front of it), so a name, status or number outside what it can be is not believed —
 * a window or status nobody knows is dropped, an impossible number is unknown.
 */
const windows = new Set([
  "five_hour",
  "seven_day",
  "seven_day_opus",
  "seven_day_sonnet",
  "seven_day_overage_included",
  "overage",
]);
const statuses = new Set(["allowed", "allowed_warning", "rejected"]);
/** A fraction used: above 1 when over the limit, never past a few times it. */
const mostUtilization = 10;
/** The longest window is a week (a month for overage): a reset further off is not one. */
const furthestResetMs = 400 * 86_400_000;

export function readRateLimitEvent(line: RateLimitEventLine, now = Date.now()): RateLimitReport | undefined {
  const info: unknown = line.rate_limit_info;
  if (typeof info !== "object" || info === null) return undefined;
  const { rateLimitType, status, utilization, resetsAt } = info as Record<string, unknown>;
  if (typeof rateLimitType !== "string" || !windows.has(rateLimitType)) return undefined;
  if (typeof status !== "string" || !statuses.has(status)) return undefined;
  const believable = (value: unknown, high: number) =>
    typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= high;
  const resetMs = typeof resetsAt === "number" ? resetsAt * 1000 : Number.NaN;
  return {
    window: rateLimitType,
    status,
    utilization: believable(utilization, mostUtilization) ? (utilization as number) : undefined,
    resetsAt: believable(resetMs, now + furthestResetMs) ? new Date(resetMs) : undefined,
  };
}
