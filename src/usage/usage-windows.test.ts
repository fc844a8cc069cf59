import { describe, expect, it } from "vitest";
import type { RateLimitReport } from "../claude/rate-limit-report.js";
import { UsageWindows } from "./usage-windows.js";

const start = Date.parse("2026-12-02T08:00:00.000Z");
const hours = (count: number) => new Date(start + count * 3_600_000);

function clock() {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const unknown = (name: string) => ({
  name,
  utilization: null,
  resetsAt: null,
  status: null,
  observedAt: null,
  ageSeconds: null,
});

const report = (window: string, fields: Partial<RateLimitReport> = {}): RateLimitReport => ({
  window,
  status: "allowed",
  utilization: undefined,
  resetsAt: hours(3),
  ...fields,
});

describe("UsageWindows", () => {
  it("lists the 5-hour and weekly windows as unknown before any report, never as 0", () => {
    expect(new UsageWindows().list()).toEqual([unknown("five_hour"), unknown("seven_day")]);
  });

  it("lists a reported window as reported, with when and how long ago", () => {
    const time = clock();
    const windows = new UsageWindows(time.now);
    windows.record(report("seven_day", { status: "allowed_warning", utilization: 0.8, resetsAt: hours(100) }));
    time.advance(12_900);
    expect(windows.list()).toEqual([
      unknown("five_hour"),
      {
        name: "seven_day",
        utilization: 0.8,
        resetsAt: hours(100),
        status: "allowed_warning",
        observedAt: new Date(start),
        ageSeconds: 12,
      },
    ]);
  });

  it("replaces a window's report whole: what the newer one lacks is unknown", () => {
    const time = clock();
    const windows = new UsageWindows(time.now);
    windows.record(report("five_hour", { status: "allowed_warning", utilization: 0.95 }));
    time.advance(60_000);
    windows.record(report("five_hour", { status: "rejected" }));
    expect(windows.list()[0]).toMatchObject({
      name: "five_hour",
      status: "rejected",
      utilization: null,
      observedAt: new Date(start + 60_000),
      ageSeconds: 0,
    });
  });

  it("lists a window whose reset has passed since its report as unknown", () => {
    const time = clock();
    const windows = new UsageWindows(time.now);
    windows.record(report("five_hour", { status: "rejected", resetsAt: hours(1) }));
    time.advance(3_600_000 - 1);
    expect(windows.list()[0]?.status).toBe("rejected");
    time.advance(1);
    expect(windows.list()[0]).toEqual(unknown("five_hour"));
  });

  it("lists other windows the CLI reports after the two, in the CLI's order, and names it does not know last", () => {
    const windows = new UsageWindows();
    for (const name of ["some_new_window", "overage", "seven_day_opus", "five_hour"]) windows.record(report(name));
    expect(windows.list().map((window) => window.name)).toEqual([
      "five_hour",
      "seven_day",
      "seven_day_opus",
      "overage",
      "some_new_window",
    ]);
  });
});
