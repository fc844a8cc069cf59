/**
 * Two gateways on one Redis store (a real redis-server, the REAL CLI), as two instances behind a
 * load balancer: a key's requests per minute count on both, an answer kept by one is a hit on the
 * other, and a process a key holds on one counts against its cap on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const keys = { limited: "limited-key-0123", capped: "capped-key-0123", plain: "plain-key-0123" };

let redis: RedisServer;
let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  redis = await startRedisServer();
  const options = {
    store: { url: redis.url },
    cache: { enabled: true },
    claude: { pool_min_idle: 0 },
    auth: {
      keys: [
        { name: "limited", key: keys.limited, requests_per_minute: 3 },
        { name: "capped", key: keys.capped, max_processes: 1 },
        { name: "plain", key: keys.plain },
      ],
    },
  };
  a = await startTestGateway(options);
  b = await startTestGateway({ ...options, environment: a.environment });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.close();
});

async function post(gateway: TestGateway, key: string, body: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sonnet", ...body }),
  });
  return {
    response,
    body: (await response.json()) as {
      error?: { code: string };
      choices: Array<{ finish_reason: string; message: { content: string | null; tool_calls: Array<{ id: string }> } }>;
    },
  };
}

const weather = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const askWeather = '[[tool:mcp__client__get_weather {"city":"Paris"}]]';

describe("two instances on one Redis store", () => {
  it("count a key's requests per minute once, whichever instance they reach", async () => {
    const models = (gateway: TestGateway) =>
      fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${keys.limited}` } });
    for (const gateway of [a, b, a]) expect((await models(gateway)).status).toBe(200);
    const refused = await models(b);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
  });

  it("answer from the cache on one instance what the other ran", async () => {
    const question = { messages: [{ role: "user", content: "kept for both" }] };
    const first = await post(a, keys.plain, question);
    expect(first.response.headers.get("x-cache")).toBe("miss");
    const second = await post(b, keys.plain, question);
    expect(second.response.headers.get("x-cache")).toBe("hit");
    expect(second.body.choices[0]?.message.content).toBe("ECHO: kept for both");
  });

  it("count a process the key holds on one instance against its cap on the other", async () => {
    // A turn waiting for the client's tool result holds its process on a.
    const parked = await post(a, keys.capped, { messages: [{ role: "user", content: askWeather }], tools: [weather] });
    const call = parked.body.choices[0];
    expect(call?.finish_reason).toBe("tool_calls");
    const refused = await eventually(async () => {
      const attempt = await post(b, keys.capped, { messages: [{ role: "user", content: "on b" }] });
      expect(attempt.response.status).toBe(429);
      return attempt;
    }, 10_000);
    expect(refused.body.error?.code).toBe("too_many_processes");

    // The turn ends: its process keeps the conversation warm on a, which b does not count.
    const results = [
      { role: "user", content: askWeather },
      call?.message,
      { role: "tool", tool_call_id: call?.message.tool_calls[0]?.id, content: "sunny" },
    ];
    const done = await post(a, keys.capped, { messages: results, tools: [weather] });
    expect(done.body.choices[0]?.message.content).toBe("TOOL_RESULT: sunny");
    await eventually(async () => {
      expect((await post(b, keys.capped, { messages: [{ role: "user", content: "on b" }] })).response.status).toBe(200);
    }, 10_000);
  });
});
