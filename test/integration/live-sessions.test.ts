/**
 * Live sessions over the WebSocket bridge, with the real CLI, the mock API and the `ws` client: a
 * whole turn, permission questions answered both ways, interrupt, two clients, a late join, bad
 * messages, and DELETE ending the process.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { connectSession, refusedUpgrade } from "../support/session-client.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ claude: { pool_min_idle: 0 }, sessions: { enabled: true } });
});
afterAll(() => test.close());

async function createSession(body: Record<string, unknown> = {}) {
  const response = await fetch(`${test.url}/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; ws_url: string; state: string; cwd: string };
}

describe("live sessions", () => {
  it("streams a whole turn to a client: init, stream events, the assistant message, the result", async () => {
    const session = await createSession({ model: "sonnet" });
    expect(session.ws_url).toBe(`${test.url.replace("http", "ws")}/ws/session/${session.id}`);
    const client = await connectSession(session.ws_url);
    await client.waitFor((message) => message.type === "session_init");
    client.send({ type: "user_message", content: "hello live" });
    const result = await client.waitFor((message) => message.type === "result");
    expect(result.result).toBe("ECHO: hello live");
    const types = client.messages.map((message) => message.type);
    expect(types).toContain("stream_event");
    expect(types).toContain("assistant");
    const described = (await (await fetch(`${test.url}/v1/sessions/${session.id}`)).json()) as Record<string, unknown>;
    expect(described).toMatchObject({ id: session.id, state: "idle", turns: 1, clients: 1, model: "sonnet" });
    const listed = (await (await fetch(`${test.url}/v1/sessions`)).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((entry) => entry.id)).toContain(session.id);
    client.socket.close();
  });

  it("asks the clients before a tool runs: allow writes the file, deny does not", async () => {
    const session = await createSession();
    const client = await connectSession(session.ws_url);
    // The session works in the operator's room.
    expect(session.cwd).toBe(join(test.environment.dataDirectory, "rooms", "operator", "workspace"));
    const allowed = join(session.cwd, "allowed.txt");
    const denied = join(session.cwd, "denied.txt");
    const write = (path: string) =>
      `[[tool:Write ${JSON.stringify({ file_path: path, content: "from the session" })}]]`;

    client.send({ type: "user_message", content: write(allowed) });
    const ask = await client.waitFor((message) => message.type === "permission_request");
    expect(ask).toMatchObject({ tool_name: "Write", input: { file_path: allowed } });
    client.send({ type: "permission_response", request_id: ask.request_id, behavior: "allow" });
    await client.waitFor((message) => message.type === "result");
    expect(existsSync(allowed)).toBe(true);

    const from = client.messages.length;
    client.send({ type: "user_message", content: write(denied) });
    const second = await client.waitFor((message) => message.type === "permission_request", from);
    client.send({ type: "permission_response", request_id: second.request_id, behavior: "deny", message: "no" });
    await client.waitFor((message) => message.type === "result", from);
    expect(existsSync(denied)).toBe(false);
    client.socket.close();
  });

  it("interrupts a running turn", async () => {
    const session = await createSession();
    const client = await connectSession(session.ws_url);
    client.send({ type: "user_message", content: "[[slow:40:100]] go on" });
    await client.waitFor((message) => message.type === "stream_event");
    client.send({ type: "interrupt" });
    const result = await client.waitFor((message) => message.type === "result");
    expect(result.subtype).toBe("error_during_execution");
    client.socket.close();
  });

  it("shows one session to two clients, gives a late client the history, and answers bad messages", async () => {
    const session = await createSession();
    const first = await connectSession(session.ws_url);
    const second = await connectSession(session.ws_url);
    first.send({ type: "user_message", content: "for both" });
    await first.waitFor((message) => message.type === "result");
    await second.waitFor((message) => message.type === "result");

    const late = await connectSession(session.ws_url);
    await late.waitFor((message) => message.type === "session_init");
    const replayed = await late.waitFor((message) => message.type === "result");
    expect(replayed.result).toBe("ECHO: for both");

    for (const bad of [
      "not json",
      { type: "dance" },
      { type: "user_message" },
      { type: "permission_response", request_id: "x", behavior: "allow" },
    ]) {
      const from = late.messages.length;
      late.send(bad);
      const error = await late.waitFor((message) => message.type === "error", from);
      expect(typeof error.message).toBe("string");
    }
    expect(late.socket.readyState).toBe(WebSocket.OPEN);
    for (const client of [first, second, late]) client.socket.close();
  });

  it("ends the CLI process on DELETE, and refuses unknown sessions and cwds outside the allowed dirs", async () => {
    const leasedPids = () =>
      test
        .pool()
        .members.filter((member) => member.state === "leased")
        .map((m) => m.pid);
    const before = leasedPids();
    const session = await createSession();
    const client = await connectSession(session.ws_url);
    await client.waitFor((message) => message.type === "session_init");
    const [pid] = leasedPids().filter((candidate) => !before.includes(candidate));
    expect(pid).toBeGreaterThan(1);
    const response = await fetch(`${test.url}/v1/sessions/${session.id}`, { method: "DELETE" });
    expect(await response.json()).toEqual({ id: session.id, object: "session.deleted", deleted: true });
    await client.waitFor((message) => message.type === "error" && message.code === "session_ended");
    await eventually(() => expect(isRunning(pid)).toBe(false));
    expect((await fetch(`${test.url}/v1/sessions/${session.id}`)).status).toBe(404);

    expect((await refusedUpgrade(`${test.url.replace("http", "ws")}/ws/session/sess_unknown`)).status).toBe(404);
    const outside = await fetch(`${test.url}/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cwd: "/etc" }),
    });
    expect(outside.status).toBe(400);
    const bypass = await fetch(`${test.url}/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ permission_mode: "bypassPermissions" }),
    });
    expect(bypass.status).toBe(400);
  });

  it("switches the model and the permission mode on request, within the operator's limits", async () => {
    const session = await createSession();
    const client = await connectSession(session.ws_url);
    client.send({ type: "set_model", model: "haiku" });
    client.send({ type: "user_message", content: "which model?" });
    await client.waitFor((message) => message.type === "result");
    expect(test.environment.mock.messageRequests().at(-1)?.body.model).toMatch(/haiku/);
    client.send({ type: "set_permission_mode", mode: "plan" });
    const from = client.messages.length;
    client.send({ type: "set_permission_mode", mode: "bypassPermissions" });
    expect((await client.waitFor((message) => message.type === "error", from)).code).toBe("invalid_permission_mode");
    const described = (await (await fetch(`${test.url}/v1/sessions/${session.id}`)).json()) as Record<string, unknown>;
    expect(described).toMatchObject({ model: "haiku", permission_mode: "plan" });
    client.socket.close();
  });

  it("ends a session that no client has been connected to for sessions.idle_timeout_seconds", async () => {
    const idle = await startTestGateway({
      claude: { pool_min_idle: 0 },
      sessions: { enabled: true, idle_timeout_seconds: 0.5 },
    });
    try {
      const response = await fetch(`${idle.url}/v1/sessions`, { method: "POST" });
      const { id } = (await response.json()) as { id: string };
      await eventually(async () => expect((await fetch(`${idle.url}/v1/sessions/${id}`)).status).toBe(404), 10_000);
      await eventually(() => expect(idle.pool().states.leased).toBe(0));
    } finally {
      await idle.close();
    }
  });
});
