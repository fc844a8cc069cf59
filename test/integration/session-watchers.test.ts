/**
 * Live sessions bounded under abuse (issue 11), with the real CLI and the mock API: a history
 * grown past its cap replayed to late watchers, more watchers than allowed, and watchers that
 * would hold the gateway's shutdown. The turn limits are in session-limits.test.ts.
 */
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { connectSession, refusedUpgrade, type SessionMessage } from "../support/session-client.js";
import { gatewaysClosedAfterEachTest, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const startGateway = gatewaysClosedAfterEachTest();

/** A session of the operator's (keyless loopback). */
async function createSession(test: TestGateway) {
  const response = await fetch(`${test.url}/v1/sessions`, { method: "POST" });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; ws_url: string };
}

const isResult = (message: SessionMessage) => message.type === "result";

describe("a session's history and watchers are bounded", () => {
  it("replays at most sessions.max_history_kb to a late watcher, the newest whole messages, and says how many were dropped", async () => {
    const test = await startGateway({ claude: { pool_min_idle: 0 }, sessions: { enabled: true, max_history_kb: 16 } });
    const session = await createSession(test);
    const driver = await connectSession(session.ws_url);
    driver.send({ type: "user_message", content: "short and sweet" });
    await driver.waitFor(isResult);

    // Under the cap: everything, no note.
    const early = await connectSession(session.ws_url);
    await early.caughtUp();
    expect(early.messages.map((message) => message.type)).not.toContain("history_truncated");
    expect(early.messages.find(isResult)?.result).toBe("ECHO: short and sweet");
    await early.close();

    // Each turn keeps ~14 KB (its assistant message and its result): five of them are ~70 KB.
    for (let turn = 1; turn <= 5; turn++) {
      const from = driver.messages.length;
      driver.send({ type: "user_message", content: "[[words:1000]]" });
      await driver.waitFor(isResult, from);
    }
    const late = await connectSession(session.ws_url);
    await late.caughtUp();
    expect(driver.bytes()).toBeGreaterThan(70_000);
    expect(late.bytes()).toBeLessThan(16 * 1024 + 4096); // the history, session_init, the note, the probe's answer
    const [init, note] = late.messages;
    expect(init?.type).toBe("session_init");
    expect(note).toMatchObject({ type: "history_truncated" });
    expect(note?.dropped_messages).toBeGreaterThan(0);
    // The newest turn is there, whole.
    const newest = String(late.messages.filter(isResult).at(-1)?.result);
    expect([newest.slice(0, 6), newest.slice(-7)]).toEqual(["w1 w2 ", " w1000 "]);
    expect(late.messages.map((message) => message.type)).not.toContain("stream_event");
    await Promise.all([driver.close(), late.close()]);
  });

  it("refuses the upgrade past sessions.max_clients_per_session and max_clients_per_key, and admits again when one leaves", async () => {
    const test = await startGateway({
      claude: { pool_min_idle: 0 },
      sessions: { enabled: true, max_clients_per_session: 2, max_clients_per_key: 3 },
    });
    const [one, two] = await Promise.all([createSession(test), createSession(test)]);
    const first = await connectSession(one?.ws_url ?? "");
    const second = await connectSession(one?.ws_url ?? "");
    const crowded = await refusedUpgrade(one?.ws_url ?? "");
    expect(crowded.status).toBe(429);
    expect(JSON.parse(crowded.body)).toMatchObject({ error: { type: "rate_limit_error", code: "too_many_clients" } });

    const third = await connectSession(two?.ws_url ?? ""); // the key's third
    const overKey = await refusedUpgrade(two?.ws_url ?? "");
    expect(overKey.status).toBe(429);
    expect(JSON.parse(overKey.body).error.message).toMatch(/This key already has 3 session clients/);

    // The clients in place are served as before.
    first.send({ type: "user_message", content: "still here" });
    expect((await second.waitFor(isResult)).result).toBe("ECHO: still here");

    await first.close();
    await eventually(async () => {
      const described = (await (await fetch(`${test.url}/v1/sessions/${one?.id}`)).json()) as { clients: number };
      expect(described.clients).toBe(1);
    });
    const again = await connectSession(one?.ws_url ?? "");
    await again.waitFor((message) => message.type === "session_init");
    await Promise.all([second.close(), third.close(), again.close()]);
  });

  it("lets no connected watcher hold the gateway's shutdown: its session ends and tells it", async () => {
    const test = await startTestGateway({ claude: { pool_min_idle: 0 }, sessions: { enabled: true } });
    try {
      const client = await connectSession((await createSession(test)).ws_url);
      await client.waitFor((message) => message.type === "session_init");
      const closed = once(client.socket, "close");
      // Before, this waited for as long as the client stayed connected.
      await test.gateway.close();
      await closed;
      expect(client.messages.at(-1)).toMatchObject({ type: "error", code: "session_ended" });
      expect(client.messages.at(-1)?.message).toMatch(/shutting down/);
    } finally {
      await test.close();
    }
  });
});
