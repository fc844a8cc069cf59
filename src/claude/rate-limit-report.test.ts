import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RateLimitEventLine } from "./protocol.js";
import { readRateLimitEvent } from "./rate-limit-report.js";

const recorded = readFileSync(
  new URL("../../test/fixtures/claude-cli-examples/rate-limit-events-2.1.197.jsonl", import.meta.url),
  "utf8",
)
  .trim()
  .split("\n")
  .map((text) => JSON.parse(text) as RateLimitEventLine);

const line = (info: unknown) => ({ type: "rate_limit_event", rate_limit_info: info }) as RateLimitEventLine;

describe("readRateLimitEvent", () => {
  it("reads the CLI's recorded lines: the window, its status, its reset, and a utilization only with a warning", () => {
    // As of when they were recorded (their resets lie hours and days ahead of it).
    const recordedAt = 1796200000_000;
    expect(recorded.map((each) => readRateLimitEvent(each, recordedAt))).toEqual([
      { window: "five_hour", status: "allowed", utilization: undefined, resetsAt: new Date(1796205570_000) },
      { window: "five_hour", status: "allowed_warning", utilization: 0.95, resetsAt: new Date(1796218171_000) },
      { window: "seven_day", status: "allowed_warning", utilization: 0.8, resetsAt: new Date(1796633972_000) },
      { window: "five_hour", status: "rejected", utilization: undefined, resetsAt: new Date(1796205573_000) },
    ]);
  });

  it("keeps the utilization as the fraction the API sent, 0 included", () => {
    const report = readRateLimitEvent(line({ status: "allowed_warning", rateLimitType: "seven_day", utilization: 0 }));
    expect(report).toEqual({ window: "seven_day", status: "allowed_warning", utilization: 0, resetsAt: undefined });
  });

  it("says nothing of any window when the line names none or has no status", () => {
    // Measured: the first answer without any rate-limit header (the CLI logged in to a subscription).
    expect(readRateLimitEvent(line({ status: "allowed", isUsingOverage: false }))).toBeUndefined();
    expect(readRateLimitEvent(line({ rateLimitType: "five_hour" }))).toBeUndefined();
    expect(readRateLimitEvent(line(null))).toBeUndefined();
    expect(readRateLimitEvent(line("allowed"))).toBeUndefined();
  });

  it("drops numbers that are not numbers", () => {
    const report = readRateLimitEvent(
      line({ status: "allowed", rateLimitType: "five_hour", utilization: "0.5", resetsAt: Number.NaN }),
    );
    expect(report).toEqual({ window: "five_hour", status: "allowed", utilization: undefined, resetsAt: undefined });
  });

  it("believes no window, status or number that cannot be (a proxy in front of the API sent it)", () => {
    const now = 1796200000_000;
    const read = (info: Record<string, unknown>) => readRateLimitEvent(line(info), now);
    const base = { status: "allowed_warning", rateLimitType: "five_hour" };
    expect(read({ ...base, rateLimitType: "__proto__" })).toBeUndefined();
    expect(read({ ...base, rateLimitType: "x".repeat(10_000) })).toBeUndefined();
    expect(read({ ...base, status: "<b>fine</b>" })).toBeUndefined();
    for (const utilization of [-5, 1e308, 11]) expect(read({ ...base, utilization })?.utilization).toBeUndefined();
    expect(read({ ...base, utilization: 1.2 })?.utilization).toBe(1.2);
    // Seconds far off, in milliseconds by mistake, before 1970: no reset time.
    for (const resetsAt of [99999999999999, -99999999999999, 1e300, now, -1]) {
      expect(read({ ...base, resetsAt })?.resetsAt).toBeUndefined();
    }
    expect(read({ ...base, resetsAt: now / 1000 + 3600 })?.resetsAt).toEqual(new Date(now + 3_600_000));
  });
});
