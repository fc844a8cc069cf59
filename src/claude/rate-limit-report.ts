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

export function readRateLimitEvent(line: RateLimitEventLine): RateLimitReport | undefined {
  const info: unknown = line.rate_limit_info;
  if (typeof info !== "object" || info === null) return undefined;
  const { rateLimitType, status, utilization, resetsAt } = info as Record<string, unknown>;
  if (typeof rateLimitType !== "string" || rateLimitType === "") return undefined;
  if (typeof status !== "string" || status === "") return undefined;
  return {
    window: rateLimitType,
    status,
    utilization: typeof utilization === "number" && Number.isFinite(utilization) ? utilization : undefined,
    resetsAt: typeof resetsAt === "number" && Number.isFinite(resetsAt) ? new Date(resetsAt * 1000) : undefined,
  };
}
