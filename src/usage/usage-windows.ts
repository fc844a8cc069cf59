/**
 * The subscription's usage windows (5-hour, weekly, …) as this instance's CLI processes last
 * reported them, for `GET /v1/usage`. In memory, per instance: each report comes from a process of
 * this instance, and the newest report of a window replaces the one before, whole — a field the
 * newer one lacks is unknown, not carried over (decision 0017).
 *
 * Unknown is never zero: a window no process reported since start, and a window whose reset time
 * has passed since its report (that report was about a window that is over), list every field but
 * the name as unknown.
 */
import type { RateLimitReport } from "../claude/rate-limit-report.js";

export interface UsageWindow {
  name: string;
  /** A fraction, 0.42 for 42 %, as the API's header says it. */
  utilization: number | null;
  resetsAt: Date | null;
  status: string | null;
  observedAt: Date | null;
  ageSeconds: number | null;
}

/** Listed first and always, known or not: the windows every subscription has. */
const alwaysListed = ["five_hour", "seven_day"];
/** The CLI's other window names, in its order; any other name it reports comes after these. */
const listingOrder = [...alwaysListed, "seven_day_opus", "seven_day_sonnet", "seven_day_overage_included", "overage"];

function unknownWindow(name: string): UsageWindow {
  return { name, utilization: null, resetsAt: null, status: null, observedAt: null, ageSeconds: null };
}

function rank(name: string): number {
  const index = listingOrder.indexOf(name);
  return index < 0 ? listingOrder.length : index;
}

export class UsageWindows {
  private readonly reports = new Map<string, { report: RateLimitReport; observedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  record(report: RateLimitReport): void {
    this.reports.set(report.window, { report, observedAt: this.now() });
  }

  list(): UsageWindow[] {
    const now = this.now();
    const names = [...new Set([...alwaysListed, ...this.reports.keys()])];
    names.sort((first, second) => rank(first) - rank(second) || first.localeCompare(second));
    return names.map((name) => {
      const seen = this.reports.get(name);
      if (!seen) return unknownWindow(name);
      const { report, observedAt } = seen;
      if (report.resetsAt !== undefined && report.resetsAt.getTime() <= now) return unknownWindow(name);
      return {
        name,
        utilization: report.utilization ?? null,
        resetsAt: report.resetsAt ?? null,
        status: report.status,
        observedAt: new Date(observedAt),
        ageSeconds: Math.max(0, Math.floor((now - observedAt) / 1000)),
      };
    });
  }
}
