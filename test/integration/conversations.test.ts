/**
 * Conversations that remember, with the real CLI and the `openai` client: continuing by id (body
 * or header), recognising a resent history, never mixing clients, the Conversations API, bad ids,
 * busy conversations and session timeouts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";
import { lastTurnsSeen } from "../support/turns-seen.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ conversation: { busy_wait_seconds: 0 } });
});
afterAll(() => test.close());

type Completion = { conversation_id: string; choices: Array<{ message: { content: string } }> };

async function complete(
  messages: Array<{ role: string; content: string }>,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Completion & { error?: { code: string; param: string } }; header: string | null }> {
  const response = await test.post(
    { model: "sonnet", messages, ...extra },
    { headers: { "content-type": "application/json", ...headers } },
  );
  return {
    status: response.status,
    body: (await response.json()) as never,
    header: response.headers.get("x-conversation-id"),
  };
}

function boundTo(conversationId: string) {
  return test.pool().members.filter((member) => member.conversation === conversationId);
}

describe("conversation_id", () => {
  it("continues a conversation from only the new message, in the same CLI process", async () => {
    const first = await complete([{ role: "user", content: "My name is Ada." }]);
    expect(first.status).toBe(200);
    const id = first.body.conversation_id;
    expect(id).toMatch(/^conv_[0-9a-f]{48}$/);
    expect(first.header).toBe(id);
    const [holder] = boundTo(id);
    expect(holder?.state, JSON.stringify(test.pool())).toBe("bound");

    const second = await complete([{ role: "user", content: "What is my name?" }], { conversation_id: id });
    expect(second.status).toBe(200);
    expect(second.body.conversation_id).toBe(id);
    expect(lastTurnsSeen(test.environment.mock)).toEqual([
      "user: My name is Ada.",
      "assistant: ECHO: My name is Ada.",
      "user: What is my name?",
    ]);
    expect(boundTo(id).map((member) => member.pid)).toEqual([holder?.pid]);

    // The header works the same way, and every streamed chunk names the conversation.
    const response = await test.post(
      { model: "sonnet", stream: true, messages: [{ role: "user", content: "And again?" }] },
      { headers: { "content-type": "application/json", "x-conversation-id": id } },
    );
    expect(response.headers.get("x-conversation-id")).toBe(id);
    const chunks = (await readSse(response)).filter((data) => data !== "[DONE]").map((data) => JSON.parse(data));
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.conversation_id).toBe(id);
    expect(lastTurnsSeen(test.environment.mock)).toHaveLength(5);
  });

  it("accepts the full history followed by the new message, and rejects a history that does not match", async () => {
    const first = await complete([{ role: "user", content: "Remember 7." }]);
    const id = first.body.conversation_id;
    const history = [
      { role: "user", content: "Remember 7." },
      { role: "assistant", content: first.body.choices[0]?.message.content ?? "" },
    ];
    const second = await complete([...history, { role: "user", content: "Which number?" }], { conversation_id: id });
    expect(second.body.conversation_id).toBe(id);
    expect(lastTurnsSeen(test.environment.mock)).toEqual([
      "user: Remember 7.",
      "assistant: ECHO: Remember 7.",
      "user: Which number?",
    ]);

    const wrong = await complete(
      [{ role: "user", content: "Remember 8." }, ...history.slice(1), { role: "user", content: "Which?" }],
      { conversation_id: id },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: "conversation_history_mismatch", param: "messages" });
    const otherPrompt = await complete(
      [
        { role: "system", content: "You are a pirate." },
        { role: "user", content: "Hi" },
      ],
      { conversation_id: id },
    );
    expect(otherPrompt.status).toBe(400);
    expect(otherPrompt.body.error?.code).toBe("conversation_system_prompt_mismatch");
  });

  it("keeps no conversation for store: false, and refuses to continue one with it", async () => {
    const { store } = test.gateway.services.conversationTurns;
    const listedBefore = (await store.list("", { limit: 100, order: "desc" })).data.length;
    const oneOff = await complete([{ role: "user", content: "Forget me." }], { store: false });
    expect(oneOff.status).toBe(200);
    expect(oneOff.body.conversation_id).toBeUndefined();
    expect(oneOff.header).toBeNull();
    expect((await store.list("", { limit: 100, order: "desc" })).data.length).toBe(listedBefore);
    const { conversation_id: id } = (await complete([{ role: "user", content: "Keep me." }])).body;
    const refused = await complete([{ role: "user", content: "hi" }], { store: false, conversation_id: id });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.param).toBe("store");
  });

  it("answers 404 for an unknown id and 400 for a malformed one, without running a turn", async () => {
    const before = test.environment.mock.messageRequests().length;
    const unknown = await complete([{ role: "user", content: "hi" }], { conversation_id: `conv_${"0".repeat(48)}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "conversation_not_found", param: "conversation_id" });
    const malformed = await complete([{ role: "user", content: "hi" }], {}, { "x-conversation-id": "../etc/passwd" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: "invalid_conversation_id", param: "conversation_id" });
    expect(test.environment.mock.messageRequests().length).toBe(before);
  });

  it("answers 409 to a second request while the conversation is still answering the first", async () => {
    const { conversation_id: id } = (await complete([{ role: "user", content: "start" }])).body;
    const slow = complete([{ role: "user", content: "[[sleep:800]] slow one" }], { conversation_id: id });
    await eventually(() => expect(test.environment.mock.requests.at(-1)?.outcome).toBe("pending"));
    const busy = await complete([{ role: "user", content: "impatient" }], { conversation_id: id });
    expect(busy.status).toBe(409);
    expect(busy.body.error?.code).toBe("conversation_busy");
    expect((await slow).status).toBe(200);
    expect((await complete([{ role: "user", content: "after" }], { conversation_id: id })).status).toBe(200);
  });
});

describe("transcripts in the store", () => {
  it("copies every turn's session transcript to the store, however fast the turns follow", async () => {
    const { store } = test.gateway.services.conversationTurns;
    const { conversation_id: id } = (await complete([{ role: "user", content: "turn 0" }])).body;
    for (let turn = 1; turn < 12; turn++) {
      // Some turns think first: their transcript lines differ from stdout's (found by message id).
      const content = turn % 3 === 0 ? `turn ${turn} [[think:pondering]]` : `turn ${turn}`;
      expect((await complete([{ role: "user", content }], { conversation_id: id })).status).toBe(200);
    }
    await eventually(async () => {
      const record = await store.get(id);
      expect(record).toMatchObject({ revision: 12, transcriptRevision: 12 });
    }, 5_000);
    const transcript = (await store.transcript(id)) ?? "";
    for (let turn = 0; turn < 12; turn++) expect(transcript).toContain(`ECHO: turn ${turn}`);
  });
});

describe("automatic continuity", () => {
  it("continues the CLI session when a client resends the history, sending only the new message", async () => {
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "I live in Lyon." }],
    });
    const id = (first as unknown as Completion).conversation_id;
    const second = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [
        { role: "user", content: "I live in Lyon." },
        { role: "assistant", content: first.choices[0]?.message.content ?? "" },
        { role: "user", content: "Where do I live?" },
      ],
    });
    expect((second as unknown as Completion).conversation_id).toBe(id);
    const seen = lastTurnsSeen(test.environment.mock);
    expect(seen).toEqual(["user: I live in Lyon.", "assistant: ECHO: I live in Lyon.", "user: Where do I live?"]);
    expect(JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body)).not.toContain("conversation_history");
  });

  it("starts a new conversation for a history it does not know, replaying it as text", async () => {
    const reply = await complete([
      { role: "user", content: "I live in Oslo." },
      { role: "assistant", content: "Something the gateway never said." },
      { role: "user", content: "Where do I live?" },
    ]);
    expect(reply.status).toBe(200);
    const seen = lastTurnsSeen(test.environment.mock);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("<conversation_history>");
    expect(seen[0]).toContain("Something the gateway never said.");
  });

  it("never mixes two clients who resend the same history at once", async () => {
    const first = await complete([{ role: "user", content: "Shared start." }]);
    const history = [
      { role: "user", content: "Shared start." },
      { role: "assistant", content: first.body.choices[0]?.message.content ?? "" },
    ];
    const [a, b] = await Promise.all([
      complete([...history, { role: "user", content: "[[sleep:300]] client A" }]),
      complete([...history, { role: "user", content: "[[sleep:300]] client B" }]),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.conversation_id).not.toBe(b.body.conversation_id);
    expect([a.body.conversation_id, b.body.conversation_id]).toContain(first.body.conversation_id);
    for (const request of test.environment.mock.messageRequests().slice(-2)) {
      const text = JSON.stringify(request.body.messages);
      expect(text.includes("client A") && text.includes("client B")).toBe(false);
    }
    // The conversation moved on with one of them; resending the old history now starts afresh.
    const late = await complete([...history, { role: "user", content: "client C" }]);
    expect([a.body.conversation_id, b.body.conversation_id]).not.toContain(late.body.conversation_id);
  });
});

describe("the Conversations API", () => {
  it("creates, retrieves, updates, lists and deletes through the openai client", async () => {
    const created = await test.client.conversations.create({
      metadata: { topic: "trip" },
      items: [
        { type: "message", role: "user", content: "We plan a trip to Rome." },
        { type: "message", role: "assistant", content: "Rome it is." },
      ],
    });
    expect(created).toMatchObject({ object: "conversation", metadata: { topic: "trip" } });
    expect(created.id).toMatch(/^conv_/);
    expect(await test.client.conversations.retrieve(created.id)).toEqual(created);
    const updated = await test.client.conversations.update(created.id, { metadata: { topic: "Rome" } });
    expect(updated.metadata).toEqual({ topic: "Rome" });

    // Its first turn reads the initial items; later ones continue the CLI session.
    const turn = await complete([{ role: "user", content: "Which city?" }], { conversation_id: created.id });
    expect(turn.status).toBe(200);
    const [seen, ...more] = lastTurnsSeen(test.environment.mock);
    expect(more).toEqual([]);
    expect(seen).toContain("<conversation_history>");
    expect(seen).toContain("[assistant]\nRome it is.");
    expect(seen).toMatch(/ \/ Which city\?$/);

    const items = [];
    for await (const item of test.client.conversations.items.list(created.id, { order: "asc", limit: 2 })) {
      items.push(item);
    }
    expect(items.map((item) => (item.type === "message" ? [item.role, item.content[0]] : []))).toEqual([
      ["user", { type: "input_text", text: "We plan a trip to Rome." }],
      ["assistant", { type: "output_text", text: "Rome it is.", annotations: [], logprobs: [] }],
      ["user", { type: "input_text", text: "Which city?" }],
      ["assistant", { type: "output_text", text: "ECHO: Which city?", annotations: [], logprobs: [] }],
    ]);

    const listed = (await (await fetch(`${test.url}/v1/conversations?limit=100`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(listed.data.map((conversation) => conversation.id)).toContain(created.id);

    const deleted = await test.client.conversations.delete(created.id);
    expect(deleted).toEqual({ id: created.id, object: "conversation.deleted", deleted: true });
    await expect(test.client.conversations.retrieve(created.id)).rejects.toMatchObject({
      status: 404,
      error: { code: "conversation_not_found" },
    });
    expect(boundTo(created.id)).toEqual([]);
  });

  it("answers in shapes valid against OpenAI's spec", async () => {
    const created = await test.client.conversations.create({
      items: [{ type: "message", role: "user", content: "x" }],
    });
    expect(specViolations("ConversationResource", created)).toEqual([]);
    const items = await (await fetch(`${test.url}/v1/conversations/${created.id}/items`)).json();
    expect(specViolations("ConversationItemList", items)).toEqual([]);
    const deleted = await test.client.conversations.delete(created.id);
    expect(specViolations("DeletedConversationResource", deleted)).toEqual([]);
  });

  it("answers 404 in OpenAI's error shape for unknown and malformed ids, and 400 for bad bodies", async () => {
    for (const id of [`conv_${"1".repeat(48)}`, "not-an-id"]) {
      for (const [method, path] of [
        ["GET", `/v1/conversations/${id}`],
        ["POST", `/v1/conversations/${id}`],
        ["DELETE", `/v1/conversations/${id}`],
        ["GET", `/v1/conversations/${id}/items`],
      ] as const) {
        const response = await fetch(`${test.url}${path}`, {
          method,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify({ metadata: {} }) : undefined,
        });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("conversation_not_found");
      }
    }
    const badMetadata = await fetch(`${test.url}/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: { n: 1 } }),
    });
    expect(badMetadata.status).toBe(400);
    expect(((await badMetadata.json()) as { error: { param: string } }).error.param).toBe("metadata.n");
    const badLimit = await fetch(`${test.url}/v1/conversations?limit=1000`);
    expect(badLimit.status).toBe(400);
  });
});

describe("session timeout", () => {
  it("releases an idle conversation's process and resumes the session with --resume later", async () => {
    const short = await startTestGateway({ conversation: { session_timeout_minutes: 0.01 } });
    try {
      const first = await short.post({ model: "sonnet", messages: [{ role: "user", content: "Code word: heron." }] });
      const { conversation_id: id } = (await first.json()) as Completion;
      await eventually(() => {
        const members = short.pool().members;
        expect(members.some((member) => member.conversation === id)).toBe(false);
      });
      const spawnedBefore = short.pool().spawned;
      const second = await short.post({
        model: "sonnet",
        conversation_id: id,
        messages: [{ role: "user", content: "What was the code word?" }],
      });
      expect(second.status).toBe(200);
      expect(short.pool().spawned).toBe(spawnedBefore + 1);
      expect(lastTurnsSeen(short.environment.mock)).toEqual([
        "user: Code word: heron.",
        "assistant: ECHO: Code word: heron.",
        "user: What was the code word?",
      ]);
    } finally {
      await short.close();
    }
  });
});
