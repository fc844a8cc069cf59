/**
 * Live sessions bounded under abuse (issue 11), each attack as it was measured, with the real CLI
 * and the mock API: turns over a WebSocket past the key's limits, and freeing resources while
 * limited. The history and watcher bounds are in session-watchers.test.ts.
 */
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually } from "../support/eventually.js";
import { connectSession, refusedUpgrade, type SessionMessage } from "../support/session-client.js";
import { gatewaysClosedAfterEachTest, type TestGateway } from "../support/start-test-gateway.js";

const startGateway = gatewaysClosedAfterEachTest();
const alice = "alice-key-0123456789";
const asAlice = { authorization: `Bearer ${alice}` };

/** A gateway where alice may run sessions, with the given limits for her key. */
function withLimits(limits: { requests_per_minute?: number; max_concurrent_requests?: number }) {
  return startGateway({
    claude: { pool_min_idle: 0 },
    auth: { keys: [{ name: "alice", key: alice, grants: ["sessions"], ...limits }] },
    sessions: { enabled: true },
  });
}

function call(test: TestGateway, path: string, init: RequestInit = {}) {
  const headers = { ...asAlice, ...(init.body ? { "content-type": "application/json" } : {}) };
  return fetch(`${test.url}${path}`, { ...init, headers });
}

async function createSession(test: TestGateway, headers: Record<string, string> = asAlice) {
  const response = await fetch(`${test.url}/v1/sessions`, { method: "POST", headers });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; ws_url: string };
}

const isResult = (message: SessionMessage) => message.type === "result";
const turnsMentioning = (test: TestGateway, text: string) =>
  test.environment.mock.messageRequests().filter((request) => JSON.stringify(request.body.messages).includes(text));

describe("turns over a WebSocket count toward the key's limits", () => {
  it("shares requests_per_minute with HTTP: the turn past it is refused with retry_after, and no turn starts", async () => {
    const test = await withLimits({ requests_per_minute: 3 });
    const session = await createSession(test); // the key's first request this minute
    const client = await connectSession(session.ws_url, asAlice); // joining: its second
    client.send({ type: "user_message", content: "[[slow:40:100]] the third" }); // its third
    await client.waitFor((message) => message.type === "stream_event");

    // The turn used up the minute's budget for HTTP too.
    const listed = await call(test, "/v1/models");
    expect(listed.status).toBe(429);
    expect(((await listed.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");

    // Interrupting frees the process: never limited.
    client.send({ type: "interrupt" });
    expect((await client.waitFor(isResult)).subtype).toBe("error_during_execution");

    // The attack as measured: 30 messages in a burst (all 30 used to reach the model).
    const from = client.messages.length;
    for (let index = 0; index < 30; index++) client.send({ type: "user_message", content: `attack ${index}` });
    const refusals = await eventually(() => {
      const errors = client.messages.slice(from).filter((message) => message.type === "error");
      expect(errors).toHaveLength(30);
      return errors;
    });
    for (const refusal of refusals) {
      expect(refusal.code).toBe("rate_limit_exceeded");
      expect(refusal.retry_after).toBeGreaterThan(0);
      expect(refusal.retry_after).toBeLessThanOrEqual(60);
    }
    const owner = test.gateway.services.apiKeys.callerFor(alice)?.owner ?? "";
    expect(test.gateway.services.sessions.find(owner, session.id)).toMatchObject({ state: "idle", turns: 1 });
    expect(turnsMentioning(test, "attack")).toHaveLength(0);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);

    // Leaving and joining again would replay the history: a join is a request too.
    const rejoin = await refusedUpgrade(session.ws_url, asAlice);
    expect(rejoin.status).toBe(429);
    expect(JSON.parse(rejoin.body)).toMatchObject({ error: { code: "rate_limit_exceeded" } });

    // Ending the session still works while the key is limited, and does not count.
    const deleted = await call(test, `/v1/sessions/${session.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    await client.waitFor((message) => message.code === "session_ended");
    expect((await call(test, "/v1/models")).status).toBe(429);
    await client.close();
  });

  it("holds a slot of max_concurrent_requests while a turn runs, frees it at the turn's end, and never limits DELETE or interrupt", async () => {
    const test = await withLimits({ max_concurrent_requests: 1 });
    const conversation = (await (await call(test, "/v1/conversations", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const running = await connectSession((await createSession(test)).ws_url, asAlice);
    const waiting = await connectSession((await createSession(test)).ws_url, asAlice);
    running.send({ type: "user_message", content: "[[slow:40:100]] long" });
    await running.waitFor((message) => message.type === "stream_event");

    const completion = await test.post(
      { model: "sonnet", messages: [{ role: "user", content: "hi" }] },
      {
        headers: { ...asAlice, "content-type": "application/json" },
      },
    );
    expect(completion.status).toBe(429);
    expect(((await completion.json()) as { error: { code: string } }).error.code).toBe("too_many_concurrent_requests");
    waiting.send({ type: "user_message", content: "refused while the other runs" });
    const refusal = await waiting.waitFor((message) => message.type === "error");
    expect(refusal).toMatchObject({ code: "too_many_concurrent_requests", retry_after: 1 });

    const deleted = await call(test, `/v1/conversations/${conversation.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    running.send({ type: "interrupt" });
    await running.waitFor(isResult);

    // The slot is free again once the turn has ended.
    waiting.send({ type: "user_message", content: "after the other" });
    expect((await waiting.waitFor(isResult)).result).toBe("ECHO: after the other");
    expect(turnsMentioning(test, "refused while")).toHaveLength(0);
    expect((await call(test, "/v1/models")).status).toBe(200);
    await Promise.all([running.close(), waiting.close()]);
  });
});

describe("freeing resources is never limited", () => {
  it("passes DELETE at the key's limit without counting it", async () => {
    const test = await withLimits({ requests_per_minute: 2 });
    const created = await call(test, "/v1/conversations", { method: "POST", body: "{}" }); // the first request
    const { id } = (await created.json()) as { id: string };
    expect((await call(test, `/v1/conversations/${id}`, { method: "DELETE" })).status).toBe(200);
    for (let index = 0; index < 5; index++) {
      expect((await call(test, `/v1/sessions/sess_${index}`, { method: "DELETE" })).status).toBe(404);
    }
    expect((await call(test, "/v1/models")).status).toBe(200); // the second
    expect((await call(test, "/v1/models")).status).toBe(429);
    expect((await call(test, `/v1/conversations/${id}`, { method: "DELETE" })).status).toBe(404);
  });
});
