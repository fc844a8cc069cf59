import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import type { ChatMessage } from "./chat-completion-request.js";
import { mapChatMessages } from "./map-chat-messages.js";

function expectInvalid(messages: ChatMessage[], param: string) {
  try {
    mapChatMessages(messages);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).param).toBe(param);
    return;
  }
  throw new Error("expected a 400");
}

describe("mapChatMessages", () => {
  it("sends a single user message as its text", () => {
    expect(mapChatMessages([{ role: "user", content: "hello" }])).toEqual({
      systemPrompt: undefined,
      content: [{ type: "text", text: "hello" }],
    });
  });

  it("joins system and developer messages into the system prompt", () => {
    const mapped = mapChatMessages([
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Use English." }] },
      { role: "user", content: "hi" },
    ]);
    expect(mapped.systemPrompt).toBe("Be brief.\n\nUse English.");
    expect(mapped.content).toEqual([{ type: "text", text: "hi" }]);
  });

  it("renders earlier turns as history ahead of the new user messages", () => {
    const mapped = mapChatMessages([
      { role: "user", content: "My name is Ada." },
      { role: "assistant", content: "Hello Ada." },
      { role: "user", content: "What is my name?" },
      { role: "user", content: [{ type: "text", text: "Answer in one word." }] },
    ]);
    expect(mapped.content).toHaveLength(3);
    const history = (mapped.content[0] as { text: string }).text;
    expect(history).toContain("[user]\nMy name is Ada.");
    expect(history).toContain("[assistant]\nHello Ada.");
    expect(history).not.toContain("What is my name?");
    expect(mapped.content.slice(1)).toEqual([
      { type: "text", text: "What is my name?" },
      { type: "text", text: "Answer in one word." },
    ]);
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

  it("rejects empty user input and unsupported content parts, naming the part", () => {
    expectInvalid([{ role: "user", content: "" }], "messages[0].content");
    expectInvalid(
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }],
      "messages[0].content[0]",
    );
    expectInvalid([{ role: "user", content: [{ type: "bogus" }] }], "messages[0].content[0].type");
  });
});
