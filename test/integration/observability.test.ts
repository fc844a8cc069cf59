/** /stats and /metrics after real traffic through the real CLI. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
const key = "observer-key-0123456789";
const admin = "admin-key-0123456789";
const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
beforeAll(async () => {
  test = await startTestGateway({
    auth: { api_keys: [key], keys: [{ name: "admin", key: admin, grants: ["admin"] }] },
  });
  await test.post({ model: "sonnet", messages: [{ role: "user", content: "count me" }] }, { headers });
  await readSse(
    await test.post({ model: "haiku", stream: true, messages: [{ role: "user", content: "and me" }] }, { headers }),
  );
  await fetch(`${test.url}/v1/models/nothing-like-this`, { headers });
});
afterAll(() => test.close());

describe("GET /stats", () => {
  it("reports requests by route and status with latency, usage by model and for the caller's key, the pool", async () => {
    expect((await fetch(`${test.url}/stats`)).status).toBe(401);
    // biome-ignore lint/suspicious/noExplicitAny: a JSON document explored field by field
    const stats = (await (await fetch(`${test.url}/stats`, { headers })).json()) as Record<string, any>;
    expect(stats.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(stats.uptime_seconds).toBeGreaterThanOrEqual(0);
    const chat = stats.requests["POST /v1/chat/completions"];
    expect(chat.count).toBe(2);
    expect(chat.by_status).toEqual({ 200: 2 });
    expect(chat.latency_ms.p50).toBeGreaterThan(0);
    expect(stats.requests["GET /v1/models/:id"].by_status).toEqual({ 404: 1 });
    expect(Object.keys(stats.models).some((model) => model.includes("sonnet"))).toBe(true);
    expect(stats.your_usage).toMatchObject({ requests: 2 });
    expect(stats.your_usage.completionTokens).toBeGreaterThan(0);
    expect(stats.keys).toBeUndefined();
    expect(stats.pool.processes).toBeGreaterThan(0);
    // Processes by launch profile (whose keys name owners) are the admin's to see.
    expect(stats.pool.by_profile).toBeUndefined();
    expect(stats.usage_by_key).toBeUndefined();
    expect(stats.caller).toEqual({ name: "api_keys[0]", admin: false });
    const asAdmin = (await (
      await fetch(`${test.url}/stats`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { pool: { by_profile: object }; usage_by_key: unknown; caller: unknown };
    expect(Object.keys(asAdmin.pool.by_profile).length).toBeGreaterThan(0);
    // Usage per key, for the admin only, under the key's name: never the key, nor its owner id.
    expect(asAdmin.usage_by_key).toEqual([expect.objectContaining({ name: "api_keys[0]", requests: 2 })]);
    expect(JSON.stringify(asAdmin.usage_by_key)).not.toMatch(/key_[0-9a-f]|observer-key/);
    expect(asAdmin.caller).toEqual({ name: "admin", admin: true });
    expect(stats.conversations_in_processes).toBeGreaterThanOrEqual(1);
    expect(stats.live_sessions).toBe(0);
    expect(stats.cache).toEqual({ hit: 0, miss: 0 });
  });

  it("keeps the last hour of model requests in 10-second buckets (not lists, /stats or /health)", async () => {
    await fetch(`${test.url}/health`);
    // biome-ignore lint/suspicious/noExplicitAny: a JSON document explored field by field
    const { timeline } = (await (await fetch(`${test.url}/stats`, { headers })).json()) as Record<string, any>;
    expect(timeline).toMatchObject({ bucket_seconds: 10 });
    expect(timeline.to - timeline.from).toBe(3600);
    const buckets = timeline.buckets as Array<{ start: number; requests: number; latency_ms_max: number }>;
    // The two chat completions; not the unknown model's 404, the /stats reads or /health.
    expect(buckets.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(2);
    for (const bucket of buckets) {
      expect(bucket.start % 10).toBe(0);
      expect(bucket.start).toBeGreaterThanOrEqual(timeline.from);
    }
    expect(Math.max(...buckets.map((bucket) => bucket.latency_ms_max))).toBeGreaterThan(0);
  });
});

describe("GET /metrics", () => {
  it("serves Prometheus text with bounded labels", async () => {
    const response = await fetch(`${test.url}/metrics`, { headers });
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    // Every series carries the instance that counted it: several instances' series stay apart.
    const instance = ((await (await fetch(`${test.url}/stats`, { headers })).json()) as { instance: string }).instance;
    expect(instance).toMatch(/^inst_[0-9a-f]{16}$/);
    const on = `gateway_instance="${instance}"`;
    expect(text).toContain(
      `ccapi_http_requests_total{route="/v1/chat/completions",method="POST",status="200",${on}} 2`,
    );
    expect(text).toMatch(
      /ccapi_http_request_duration_seconds_bucket\{le="[0-9.]+",gateway_instance="inst_[0-9a-f]+",route="\/v1\/chat\/completions",method="POST"\}/,
    );
    expect(text).toMatch(/ccapi_chat_time_to_first_token_seconds_count\{[^}]*model="(sonnet|haiku)"[^}]*\} 1/);
    expect(text).toMatch(
      /ccapi_chat_tokens_total\{direction="completion",model="sonnet",gateway_instance="inst_[0-9a-f]+"\} [1-9]/,
    );
    expect(text).toContain("ccapi_chat_cost_usd_total");
    expect(text).toMatch(/ccapi_pool_processes\{state="bound",gateway_instance="inst_[0-9a-f]+"\} [1-9]/);
    expect(text).toContain(`ccapi_pool_queue_depth{${on}} 0`);
    expect(text).toContain("# TYPE ccapi_cli_spawns_total counter");
    expect(text).toMatch(/ccapi_cli_spawns_total\{gateway_instance="inst_[0-9a-f]+"\} [1-9]/);
    expect(text).toContain("# TYPE ccapi_cli_crashes_total counter");
    expect(text).toContain(`ccapi_cli_crashes_total{${on}} 0`);
    const samples = text.split("\n").filter((line) => line.startsWith("ccapi_"));
    expect(samples.filter((line) => !line.includes(on))).toEqual([]);
    // A scrape adds only what grew since the last: the counter is the pool's running total.
    const again = await (await fetch(`${test.url}/metrics`, { headers })).text();
    expect(Number(/ccapi_cli_spawns_total\{[^}]*\} (\d+)/.exec(again)?.[1])).toBe(test.pool().spawned);
    // Bounded: no raw paths or ids, no keys.
    expect(text).not.toContain("nothing-like-this");
    expect(text).not.toContain("key_");
  });
});
