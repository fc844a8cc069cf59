/**
 * A conversation outlives the gateway: stopped mid-conversation and started again on the same data
 * dir (SQLite, the default store), the next message resumes the CLI session from the transcript the
 * store kept — the CLI's own copy is even deleted in between.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { startTestGateway } from "../support/start-test-gateway.js";
import { lastTurnsSeen } from "../support/turns-seen.js";

let environment: ClaudeTestEnvironment;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
});
afterAll(() => environment.close());

type Completion = { conversation_id: string; choices: Array<{ message: { content: string } }> };

it("continues a conversation after the gateway restarts, by id and by resent history", async () => {
  const before = await startTestGateway({ environment });
  const first = (await before.client.chat.completions.create({
    model: "sonnet",
    messages: [{ role: "user", content: "My favourite colour is teal." }],
  })) as unknown as Completion;
  const id = first.conversation_id;
  const second = (await before.client.chat.completions.create({
    model: "sonnet",
    messages: [{ role: "user", content: "And my cat is called Miso." }],
    conversation_id: id,
  } as never)) as unknown as Completion;
  await before.close();
  // Only the store's copy of the session is left.
  rmSync(join(environment.configDirectory, "projects"), { recursive: true, force: true });

  const after = await startTestGateway({ environment });
  try {
    const third = (await after.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "What do you know about me?" }],
      conversation_id: id,
    } as never)) as unknown as Completion;
    expect(third.conversation_id).toBe(id);
    expect(lastTurnsSeen(environment.mock)).toEqual([
      "user: My favourite colour is teal.",
      "assistant: ECHO: My favourite colour is teal.",
      "user: And my cat is called Miso.",
      "assistant: ECHO: And my cat is called Miso.",
      "user: What do you know about me?",
    ]);

    // A plain client resending the whole history is recognised too.
    const history = [
      { role: "user" as const, content: "My favourite colour is teal." },
      { role: "assistant" as const, content: first.choices[0]?.message.content ?? "" },
      { role: "user" as const, content: "And my cat is called Miso." },
      { role: "assistant" as const, content: second.choices[0]?.message.content ?? "" },
      { role: "user" as const, content: "What do you know about me?" },
      { role: "assistant" as const, content: third.choices[0]?.message.content ?? "" },
    ];
    const fourth = (await after.client.chat.completions.create({
      model: "sonnet",
      messages: [...history, { role: "user", content: "Anything else?" }],
    })) as unknown as Completion;
    expect(fourth.conversation_id).toBe(id);
    expect(lastTurnsSeen(environment.mock)).toHaveLength(7);
    expect(JSON.stringify(environment.mock.messageRequests().at(-1)?.body)).not.toContain("conversation_history");
  } finally {
    await after.close();
  }
});
