import { describe, expect, it } from "vitest";
import { RequestTimeline } from "./request-timeline.js";

describe("RequestTimeline", () => {
  it("counts requests, 5xx answers and latency per bucket, oldest first", () => {
    let now = 1_000_000_000;
    const timeline = new RequestTimeline(10, 60, () => now);
    timeline.record(200, 100);
    timeline.record(502, 300);
    now += 10_000;
    timeline.record(200, 50);
    expect(timeline.buckets()).toEqual([
      { start: 1_000_000, requests: 2, errors: 1, latency_ms_mean: 200, latency_ms_max: 300 },
      { start: 1_000_010, requests: 1, errors: 0, latency_ms_mean: 50, latency_ms_max: 50 },
    ]);
    expect(timeline.toJSON()).toMatchObject({ bucket_seconds: 10, from: 1_000_020 - 60, to: 1_000_020 });
  });

  it("forgets what is older than its span, also when the slot was never written again", () => {
    let now = 2_000_000_000;
    const timeline = new RequestTimeline(10, 60, () => now);
    timeline.record(200, 10);
    now += 50_000;
    expect(timeline.buckets()).toHaveLength(1);
    now += 10_000;
    expect(timeline.buckets()).toEqual([]);
    // The ring came round to the old slot: it starts again from nothing.
    timeline.record(200, 20);
    expect(timeline.buckets()).toEqual([
      { start: 2_000_060, requests: 1, errors: 0, latency_ms_mean: 20, latency_ms_max: 20 },
    ]);
  });
});
