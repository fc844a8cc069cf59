/**
 * GET /v1/usage end to end: the mock sends the API's `anthropic-ratelimit-unified-*` headers, the
 * REAL CLI (logged in to a subscription with CLAUDE_CODE_OAUTH_TOKEN, the only login it reports
 * them for) turns them into `rate_limit_event` lines, and the gateway lists the windows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const key = "reader-key-0123456789";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    apiKey: null,
    extraEnvironment: { CLAUDE_CODE_OAUTH_TOKEN: "subscription-token" },
    auth: { keys: [{ name: "reader", key }] },
  });
});
afterAll(() => test.close());

interface UsageJson {
  object: string;
  windows: Array<{
    name: string;
    utilization: number | null;
    resets_at: string | null;
    status: string | null;
    observed_at: string | null;
    age_seconds: number | null;
  }>;
  observed_by: string;
}

async function usage(): Promise<UsageJson> {
  const response = await fetch(`${test.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as UsageJson;
}

const unknown = (name: string) => ({
  name,
  utilization: null,
  resets_at: null,
  status: null,
  observed_at: null,
  age_seconds: null,
});

async function chat(content: string) {
  const client = test.client.withOptions({ apiKey: key });
  return client.chat.completions.create({ model: "sonnet", messages: [{ role: "user", content }] });
}

describe("GET /v1/usage", () => {
  it("needs a key, like every /v1 route", async () => {
    const response = await fetch(`${test.url}/v1/usage`);
    expect(response.status).toBe(401);
  });

  it("lists the 5-hour and weekly windows as unknown (null, never 0) before any request", async () => {
    expect(await usage()).toEqual({
      object: "usage",
      windows: [unknown("five_hour"), unknown("seven_day")],
      observed_by: "claude_cli",
    });
  });

  it("shows the utilization, reset and status the API sent, as the CLI reported them after a completion", async () => {
    const now = Math.floor(Date.now() / 1000);
    const weeklyReset = now + 5 * 86_400;
    // The weekly window past a threshold the API names: the CLI reports it with its utilization.
    test.environment.mock.setMessageHeaders({
      "anthropic-ratelimit-unified-status": "allowed",
      "anthropic-ratelimit-unified-reset": String(weeklyReset),
      "anthropic-ratelimit-unified-representative-claim": "seven_day",
      "anthropic-ratelimit-unified-5h-utilization": "0.42",
      "anthropic-ratelimit-unified-5h-reset": String(now + 3_600),
      "anthropic-ratelimit-unified-7d-utilization": "0.8",
      "anthropic-ratelimit-unified-7d-reset": String(weeklyReset),
      "anthropic-ratelimit-unified-7d-surpassed-threshold": "0.75",
    });
    const before = Date.now();
    const completion = await chat("How much is left?");
    expect(completion.choices[0]?.message.content).toBe("ECHO: How much is left?");

    const seen = await usage();
    expect(seen.windows[0]).toEqual(unknown("five_hour"));
    expect(seen.windows[1]).toMatchObject({
      name: "seven_day",
      utilization: 0.8,
      resets_at: new Date(weeklyReset * 1000).toISOString(),
      status: "allowed_warning",
    });
    const observedAt = Date.parse(seen.windows[1]?.observed_at ?? "");
    expect(observedAt).toBeGreaterThanOrEqual(before);
    expect(observedAt).toBeLessThanOrEqual(Date.now());
    expect(seen.windows[1]?.age_seconds).toBeGreaterThanOrEqual(0);
    expect(seen.windows[1]?.age_seconds).toBeLessThanOrEqual(Math.ceil((Date.now() - before) / 1000));

    // Later the 5-hour window runs out: the API refuses, and the CLI reports that window rejected.
    const sessionReset = now + 1_800;
    test.environment.mock.setMessageHeaders({
      "anthropic-ratelimit-unified-status": "rejected",
      "anthropic-ratelimit-unified-reset": String(sessionReset),
      "anthropic-ratelimit-unified-representative-claim": "five_hour",
      "anthropic-ratelimit-unified-5h-utilization": "1.0",
      "anthropic-ratelimit-unified-5h-reset": String(sessionReset),
    });
    const refused = await chat("[[error:429]] and now?").catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "upstream_rate_limited" });
    const after = await usage();
    expect(after.windows.map((window) => [window.name, window.status, window.utilization, window.resets_at])).toEqual([
      ["five_hour", "rejected", null, new Date(sessionReset * 1000).toISOString()],
      ["seven_day", "allowed_warning", 0.8, new Date(weeklyReset * 1000).toISOString()],
    ]);
  });
});

describe("GET /v1/usage with an API key login", () => {
  it("stays unknown: the CLI reports no window for API billing, whatever the headers say", async () => {
    const billed = await startTestGateway();
    try {
      const reset = Math.floor(Date.now() / 1000) + 3_600;
      billed.environment.mock.setMessageHeaders({
        "anthropic-ratelimit-unified-status": "allowed",
        "anthropic-ratelimit-unified-reset": String(reset),
        "anthropic-ratelimit-unified-representative-claim": "five_hour",
        "anthropic-ratelimit-unified-5h-utilization": "0.5",
        "anthropic-ratelimit-unified-5h-reset": String(reset),
        "anthropic-ratelimit-unified-5h-surpassed-threshold": "0.5",
      });
      await billed.client.chat.completions.create({ model: "sonnet", messages: [{ role: "user", content: "Hi" }] });
      const response = await fetch(`${billed.url}/v1/usage`);
      expect(((await response.json()) as UsageJson).windows).toEqual([unknown("five_hour"), unknown("seven_day")]);
    } finally {
      await billed.close();
    }
  });
});
