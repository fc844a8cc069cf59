/**
 * Who may use the gateway and how much: API keys (Bearer and x-api-key), what each key can see,
 * per-key limits, body size, CORS, and request ids — with the real CLI behind it.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const alice = "alice-key-0123456789";
const bob = "bob-key-0123456789";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    auth: {
      keys: [
        { name: "alice", key: alice, grants: ["sessions"] },
        { name: "bob", key: bob, grants: ["sessions"] },
      ],
      requests_per_minute: 1000,
    },
    sessions: { enabled: true },
    server: { cors_origins: ["https://app.example"], body_limit_mb: 0.05 },
  });
});
afterAll(() => test.close());

const client = (apiKey: string) => new OpenAI({ baseURL: `${test.url}/v1`, apiKey, maxRetries: 0 });

function call(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${test.url}${path}`, { ...init, headers });
}

describe("API keys", () => {
  it("requires a key under /v1 (Bearer or x-api-key), answers 401 in OpenAI's shape, leaves /health open", async () => {
    await expect(client("wrong-key-0123456789").models.list()).rejects.toMatchObject({
      status: 401,
      error: { type: "authentication_error", code: "invalid_api_key" },
    });
    const anonymous = await call("/v1/models");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-should-retry")).toBe("false");
    expect((await client(alice).models.list()).data.length).toBeGreaterThan(0);
    expect((await call("/v1/models", { headers: { "x-api-key": bob } })).status).toBe(200);
    expect((await call("/health")).status).toBe(200);
  });

  it("keeps each key's conversations and sessions to itself", async () => {
    const created = await client(alice).conversations.create({ metadata: { who: "alice" } });
    await expect(client(bob).conversations.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    const listed = (await (await call("/v1/conversations", { key: bob })).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((conversation) => conversation.id)).not.toContain(created.id);

    // Resending alice's history under bob's key starts bob's own conversation.
    const first = await client(alice).chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "secret plan" }],
    });
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: "user", content: "secret plan" },
      { role: "assistant", content: first.choices[0]?.message.content ?? "" },
      { role: "user", content: "go on" },
    ];
    const asBob = await client(bob).chat.completions.create({ model: "sonnet", messages: history });
    const id = (completion: unknown) => (completion as { conversation_id: string }).conversation_id;
    expect(id(asBob)).not.toBe(id(first));
    const asAlice = await client(alice).chat.completions.create({ model: "sonnet", messages: history });
    expect(id(asAlice)).toBe(id(first));

    const session = (await (await call("/v1/sessions", { method: "POST", key: alice })).json()) as {
      id: string;
      ws_url: string;
    };
    expect((await call(`/v1/sessions/${session.id}`, { key: bob })).status).toBe(404);
    const refused = new WebSocket(session.ws_url);
    expect(
      await new Promise((resolve) =>
        refused.once("unexpected-response", (_request, response) => resolve(response.statusCode)),
      ),
    ).toBe(401);
    const accepted = new WebSocket(`${session.ws_url}?api_key=${alice}`);
    await new Promise((resolve, reject) => {
      accepted.once("open", resolve);
      accepted.once("error", reject);
    });
    accepted.close();
    await call(`/v1/sessions/${session.id}`, { method: "DELETE", key: alice });
  });
});

describe("limits and hygiene", () => {
  it("rejects a body over server.body_limit_mb with 413, before reading it", async () => {
    const response = await call("/v1/chat/completions", {
      method: "POST",
      key: alice,
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "x".repeat(100_000) }] }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
  });

  it("echoes or makes a request id, in the header and in error bodies", async () => {
    const echoed = await call("/v1/models", { key: alice, headers: { "x-request-id": "trace-42" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-42");
    const failed = await call("/v1/models/none", { key: alice });
    const id = failed.headers.get("x-request-id");
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(((await failed.json()) as { error: { request_id: string } }).error.request_id).toBe(id);
  });

  it("answers CORS preflights for the configured origins only", async () => {
    const preflight = await fetch(`${test.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const other = await call("/v1/models", { key: alice, headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("per-key limits", () => {
  it("answers 429 with Retry-After past requests_per_minute and max_concurrent_requests", async () => {
    const limited = await startTestGateway({ auth: { api_keys: [alice], requests_per_minute: 2 } });
    try {
      const ask = () =>
        limited.post(
          { model: "sonnet", messages: [{ role: "user", content: "hi" }] },
          {
            headers: { "content-type": "application/json", authorization: `Bearer ${alice}` },
          },
        );
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(200);
      const third = await ask();
      expect(third.status).toBe(429);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
    } finally {
      await limited.close();
    }
    const single = await startTestGateway({ auth: { api_keys: [alice], max_concurrent_requests: 1 } });
    try {
      const ask = (content: string) =>
        single.post(
          { model: "sonnet", stream: true, messages: [{ role: "user", content }] },
          {
            headers: { "content-type": "application/json", authorization: `Bearer ${alice}` },
          },
        );
      const slow = await ask("[[slow:5:200]] slow");
      const second = await ask("fast");
      expect(second.status).toBe(429);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe("too_many_concurrent_requests");
      await slow.text(); // the first one's stream ends: its slot is free again
      expect((await ask("again")).status).toBe(200);
    } finally {
      await single.close();
    }
  });
});
