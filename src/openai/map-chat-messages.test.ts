import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../../test/support/expect-bad-request.js";
import { composeTurnContent } from "../turns/render-history.js";
import { historyEntry, type TurnMessage } from "../turns/turn-message.js";
import type { ChatMessage } from "./chat-completion-request.js";
import { mapChatMessages } from "./map-chat-messages.js";

const blocksOf = (mapped: ReturnType<typeof mapChatMessages>) =>
  mapped.input.kind === "messages" ? mapped.input.blocks : [];
const entriesOf = (mapped: ReturnType<typeof mapChatMessages>) =>
  mapped.input.kind === "messages" ? mapped.input.messages.map(historyEntry) : [];

function expectInvalid(messages: ChatMessage[], param: string) {
  expectBadRequest(() => mapChatMessages(messages), param);
}

describe("mapChatMessages", () => {
  it("sends a single user message as its text", () => {
    const mapped = mapChatMessages([{ role: "user", content: " hello " }]);
    expect(mapped).toEqual({
      systemPrompt: undefined,
      history: [],
      input: {
        kind: "messages",
        messages: [{ role: "user", text: " hello " }],
        blocks: [{ type: "text", text: " hello " }],
      },
    });
    expect(entriesOf(mapped)).toEqual([{ role: "user", text: "hello" }]);
  });

  it("joins system and developer messages into the system prompt", () => {
    const mapped = mapChatMessages([
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Use English." }] },
      { role: "user", content: "hi" },
    ]);
    expect(mapped.systemPrompt).toBe("Be brief.\n\nUse English.");
    expect(blocksOf(mapped)).toEqual([{ type: "text", text: "hi" }]);
    expect(mapped.history).toEqual([]);
  });

  it("renders earlier turns as history ahead of the new user messages", () => {
    const mapped = mapChatMessages([
      { role: "user", content: "My name is Ada." },
      { role: "assistant", content: "Hello Ada." },
      { role: "user", content: "What is my name?" },
      { role: "user", content: [{ type: "text", text: "Answer in one word." }] },
    ]);
    expect(mapped.history.map(historyEntry)).toEqual([
      { role: "user", text: "My name is Ada." },
      { role: "assistant", text: "Hello Ada." },
    ]);
    expect(entriesOf(mapped).map((entry) => entry.text)).toEqual(["What is my name?", "Answer in one word."]);
    const content = composeTurnContent(mapped.history, blocksOf(mapped), 100);
    expect(content).toHaveLength(3);
    const history = (content[0] as { text: string }).text;
    expect(history).toContain("[user]\nMy name is Ada.");
    expect(history).toContain("[assistant]\nHello Ada.");
    expect(history).not.toContain("What is my name?");
    expect(content.slice(1)).toEqual([
      { type: "text", text: "What is my name?" },
      { type: "text", text: "Answer in one word." },
    ]);
  });

  it("replays only the newest max_history_messages earlier messages, saying how many were left out", () => {
    const earlier: TurnMessage[] = [
      { role: "user", text: "alpha" },
      { role: "assistant", text: "second" },
      { role: "user", text: "third" },
    ];
    const [history] = composeTurnContent(earlier, [{ type: "text", text: "new" }], 2) as Array<{ text: string }>;
    expect(history?.text).toMatch(/^\[1 earlier messages omitted\]/);
    expect(history?.text).not.toContain("alpha");
    expect(history?.text).toContain("[user]\nthird");
    expect(composeTurnContent([], [{ type: "text", text: "new" }], 2)).toEqual([{ type: "text", text: "new" }]);
  });

  it("rejects a conversation that does not end with the user", () => {
    expectInvalid(
      [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
      "messages[1].role",
    );
    expectInvalid([{ role: "system", content: "only a system prompt" }], "messages");
  });

  it("leaves image parts for resolve-images, with the param they came from", () => {
    const mapped = mapChatMessages([
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
    ]);
    expect(blocksOf(mapped)).toEqual([
      { type: "image_request", url: "https://example.com/a.png", param: "messages[0].content[0].image_url" },
    ]);
  });

  it("rejects empty user input and unsupported content parts, naming the part", () => {
    expectInvalid([{ role: "user", content: "" }], "messages[0].content");
    expectInvalid(
      [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }],
      "messages[0].content[0]",
    );
    expectInvalid(
      [{ role: "user", content: [{ type: "image_url", image_url: {} }] }],
      "messages[0].content[0].image_url.url",
    );
    expectInvalid([{ role: "user", content: [{ type: "bogus" }] }], "messages[0].content[0].type");
  });
});
