/**
 * The Responses API under abuse, with the real CLI and the mock: what a response stores is reserved
 * before its turn runs and counted exactly (also a first turn's that never got recorded), hostile
 * bodies are refused before anything runs, a turn that starts waiting gives its process to a
 * request already queued, and an Agents SDK handoff through previous_response_id neither loses the
 * waiting turn nor fails on its conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const keys = { small: "small-quota-key-0123", plain: "plain-key-0123456789" };

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    auth: {
      keys: [
        { name: "small", key: keys.small, max_stored_mb: 1 },
        { name: "plain", key: keys.plain },
      ],
    },
    claude: { max_concurrent_sessions: 1, pool_min_idle: 0 },
    tools: { pending_timeout_seconds: 60 },
  });
});
afterAll(() => test.close());

const lookup = {
  type: "function",
  name: "lookup",
  parameters: { type: "object", properties: { q: { type: "string" } } },
};
const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;

async function respond(key: string, body: Record<string, unknown>) {
  const response = await fetch(`${test.url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sonnet", ...body }),
  });
  return { status: response.status, body: (await response.json()) as Reply };
}

interface Reply {
  id: string;
  conversation: { id: string };
  output: Array<{ type: string; call_id: string; content: Array<{ text: string }> }>;
  error: { code: string; param: string };
}

const ownerOf = (name: string) =>
  test.gateway.services.apiKeys.callers().find((caller) => caller.name === name)?.owner ?? "";
const usageOf = (name: string) => test.gateway.services.conversationTurns.store.usage(ownerOf(name));
const reasoning = (bytes: number) => ({
  type: "reasoning",
  summary: [{ type: "summary_text", text: "x".repeat(bytes) }],
});

describe("Responses API limits", () => {
  it("refuses, before its turn runs, a response whose input would not fit the key's stored bytes", async () => {
    const asked = test.environment.mock.messageRequests().length;
    const refused = await respond(keys.small, { input: [reasoning(2 * 1024 * 1024), { role: "user", content: "hi" }] });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("quota_exceeded");
    expect(test.environment.mock.messageRequests().length).toBe(asked);
    // store: false keeps nothing, so nothing is reserved.
    const unstored = await respond(keys.small, {
      store: false,
      input: [reasoning(2 * 1024 * 1024), { role: "user", content: "hi" }],
    });
    expect(unstored.status).toBe(200);
  });

  it("counts a first turn's response that waits for tool results, and gives back exactly that", async () => {
    const before = await usageOf("plain");
    const paused = await respond(keys.plain, { input: call("lookup", { q: "a" }), tools: [lookup] });
    expect(paused.status).toBe(200);
    const counted = (await usageOf("plain")).bytes - before.bytes;
    expect(counted).toBeGreaterThan(JSON.stringify(paused.body).length / 2);
    const deleted = await fetch(`${test.url}/v1/responses/${paused.body.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${keys.plain}` },
    });
    expect(deleted.status).toBe(200);
    expect((await usageOf("plain")).bytes).toBe(before.bytes);
    // Its turn still waits (suspended once the next request took the only process) for the results.
    expect((await respond(keys.plain, { input: "next" })).status).toBe(200);
    expect(test.gateway.services.engine.waitingCount).toBe(1);
    const fc = paused.body.output.find((item) => item.type === "function_call");
    const output = [{ type: "function_call_output", call_id: fc?.call_id, output: "done" }];
    expect((await respond(keys.plain, { store: false, tools: [lookup], input: output })).status).toBe(200);
    await eventually(() => expect(test.gateway.services.engine.waitingCount).toBe(0));
  });

  it("refuses hostile bodies with a 400 before anything runs", async () => {
    let nested: unknown = "deep";
    for (let level = 0; level < 150; level++) nested = { nested };
    const deep = await respond(keys.plain, { input: "hi", metadata_extra: nested });
    expect(deep.status).toBe(400);
    expect(deep.body.error.code).toBe("nesting_too_deep");
    expect(deep.body.error.param).toBe("metadata_extra");
    const nullPart = await respond(keys.plain, { input: [{ role: "user", content: [null] }] });
    expect(nullPart.status).toBe(400);
    expect(nullPart.body.error.param).toBe("input[0].content[0]");
  });

  it("gives a turn's process, as soon as the turn waits for tool results, to a request already queued", async () => {
    // One process: the tool turn holds it while it runs; the plain request queues behind it.
    const waiting = respond(keys.small, {
      store: false,
      input: `[[sleep:1500]] ${call("lookup", { q: "b" })}`,
      tools: [lookup],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const queued = await respond(keys.plain, { store: false, input: "queued behind a tool turn" });
    expect(queued.status).toBe(200);
    // Served once the tool turn paused (~1.5 s), not after tools.pending_timeout_seconds (60 s).
    expect(Date.now() - started).toBeLessThan(20_000);
    const paused = await waiting;
    const fc = paused.body.output.find((item) => item.type === "function_call");
    // Its process went to the queued request; its results still reach the model (a fork of its session).
    const late = await respond(keys.small, {
      store: false,
      tools: [lookup],
      input: [{ type: "function_call_output", call_id: fc?.call_id, output: "later" }],
    });
    expect(late.body.output.at(-1)?.content[0]?.text).toBe("TOOL_RESULT: later");
  });

  it("hands a conversation over through previous_response_id: the new agent's turn runs under its id", async () => {
    const first = await respond(keys.plain, {
      instructions: "You are the triage agent.",
      input: call("transfer_to_specialist", {}),
      tools: [{ type: "function", name: "transfer_to_specialist", parameters: { type: "object", properties: {} } }],
    });
    const fc = first.body.output.find((item) => item.type === "function_call");
    const second = await respond(keys.plain, {
      previous_response_id: first.body.id,
      instructions: "You are the specialist.",
      tools: [lookup],
      input: [{ type: "function_call_output", call_id: fc?.call_id, output: '{"assistant":"specialist"}' }],
    });
    expect(second.status).toBe(200);
    expect(second.body.conversation.id).toBe(first.body.conversation.id);
    expect(JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.system)).toContain(
      "You are the specialist.",
    );
  });

  it("refuses a handoff that would change a recorded conversation's system prompt, and its turn still waits", async () => {
    const opening = await respond(keys.plain, { instructions: "Agent one.", input: "hello" });
    const asking = await respond(keys.plain, {
      previous_response_id: opening.body.id,
      input: call("lookup", { q: "c" }),
      tools: [lookup],
    });
    const fc = asking.body.output.find((item) => item.type === "function_call");
    const output = [{ type: "function_call_output", call_id: fc?.call_id, output: "found" }];
    const refused = await respond(keys.plain, {
      previous_response_id: asking.body.id,
      instructions: "Agent two.",
      tools: [lookup],
      input: output,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("conversation_system_prompt_mismatch");
    const answered = await respond(keys.plain, {
      previous_response_id: asking.body.id,
      tools: [lookup],
      input: output,
    });
    expect(answered.status).toBe(200);
    expect(answered.body.output.at(-1)?.content[0]?.text).toBe("TOOL_RESULT: found");
  });
});
