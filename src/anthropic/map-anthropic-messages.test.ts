import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../../test/support/expect-bad-request.js";
import { historyEntry } from "../turns/turn-message.js";
import { mapAnthropicMessages } from "./map-anthropic-messages.js";
import { parseMessagesRequest } from "./messages-request.js";

const map = (body: Record<string, unknown>) =>
  mapAnthropicMessages(parseMessagesRequest({ model: "sonnet", max_tokens: 100, ...body }));

describe("mapAnthropicMessages", () => {
  it("joins system blocks into the system prompt and takes the trailing user run as input", () => {
    const mapped = map({
      system: [
        { type: "text", text: "You are terse." },
        { type: "text", text: "Answer in French.", cache_control: { type: "ephemeral" } },
      ],
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: [{ type: "text", text: "one" }] },
        { role: "user", content: [{ type: "text", text: "second" }] },
        { role: "user", content: "third" },
      ],
    });
    expect(mapped.systemPrompt).toBe("You are terse.\n\nAnswer in French.");
    expect(mapped.history).toEqual([
      { role: "user", text: "first" },
      { role: "assistant", text: "one" },
    ]);
    expect(mapped.input).toEqual({
      kind: "messages",
      messages: [
        { role: "user", text: "second" },
        { role: "user", text: "third" },
      ],
      blocks: [
        { type: "text", text: "second" },
        { type: "text", text: "third" },
      ],
    });
  });

  it("leaves Claude Code's billing line out of the system prompt, and nothing else", () => {
    const mapped = map({
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197.e28; cc_entrypoint=sdk-cli;" },
        { type: "text", text: "x-anthropic-billing-header: a\nAlways answer in French." },
        { type: "text", text: "You are Claude Code." },
      ],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(mapped.systemPrompt).toBe("Always answer in French.\n\nYou are Claude Code.");
  });

  it("tells a system message inside messages as a system reminder, in its place", () => {
    const mapped = map({
      messages: [
        { role: "user", content: "hi" },
        { role: "system", content: "Be kind." },
      ],
    });
    expect(mapped.systemPrompt).toBeUndefined();
    expect(mapped.input).toMatchObject({
      blocks: [
        { type: "text", text: "hi" },
        { type: "text", text: "<system-reminder>\nBe kind.\n</system-reminder>" },
      ],
    });
  });

  it("maps images: base64 to a data URL, url as given, both marked in the record", () => {
    const mapped = map({
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
            { type: "text", text: "what is this?" },
          ],
        },
      ],
    });
    if (mapped.input.kind !== "messages") throw new Error("expected messages");
    expect(mapped.input.blocks.slice(0, 2)).toEqual([
      { type: "image_request", url: "data:image/png;base64,AAAA", param: "messages[0].content[0]" },
      { type: "image_request", url: "https://example.com/cat.png", param: "messages[0].content[1]" },
    ]);
    expect(mapped.input.messages[0]?.text).toMatch(/^\[image [0-9a-f]{16}\]\n\[image [0-9a-f]{16}\]\nwhat is this\?$/);
  });

  it("takes trailing tool results as the input, the message's other text told with the last result", () => {
    const mapped = map({
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "text", text: "Calling." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "sunny" }] },
            { type: "tool_result", tool_use_id: "toolu_2", content: "failed", is_error: true },
            { type: "text", text: "<system-reminder>note</system-reminder>" },
          ],
        },
      ],
    });
    expect(mapped.history.at(-1)).toEqual({
      role: "assistant",
      text: "Calling.",
      toolCalls: [
        { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { id: "toolu_2", name: "get_time", arguments: "{}" },
      ],
    });
    expect(mapped.input).toEqual({
      kind: "tool_results",
      results: [
        { callId: "toolu_1", text: "sunny" },
        { callId: "toolu_2", text: "failed\n<system-reminder>note</system-reminder>", isError: true },
      ],
    });
  });

  it("records tool results in history as they were given as input, so the conversation is recognised", () => {
    const exchange = [
      { role: "user", content: "weather?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "w", input: { a: 1 } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
    ];
    const asInput = map({ messages: exchange });
    const asHistory = map({
      messages: [...exchange, { role: "assistant", content: "done" }, { role: "user", content: "next" }],
    });
    if (asInput.input.kind !== "tool_results") throw new Error("expected tool results");
    expect(asHistory.history[2]).toEqual({ role: "tool", callId: "toolu_1", text: "ok" });
    expect(historyEntry(asHistory.history[2] as never)).toEqual(
      historyEntry({ role: "tool", ...asInput.input.results[0] } as never),
    );
    // The model's spaced JSON and the client's re-serialised object count the same.
    expect(
      historyEntry({ role: "assistant", text: "", toolCalls: [{ id: "toolu_1", name: "w", arguments: '{"a": 1}' }] }),
    ).toEqual(historyEntry(asHistory.history[1] as never));
  });

  it("refuses what it cannot take, naming the field", () => {
    expectBadRequest(() => map({ messages: [] }), "messages", "invalid_value");
    expectBadRequest(
      () =>
        map({
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "Sure" },
          ],
        }),
      "messages[1].role",
      "invalid_value",
    );
    expectBadRequest(
      () =>
        map({
          messages: [{ role: "user", content: [{ type: "document", source: { type: "text", data: "x" } }] }],
        }),
      "messages[0].content[0].type",
      "unsupported_content_type",
    );
    expectBadRequest(
      () => map({ messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }] }),
      "messages[0].content[0].source",
      "invalid_value",
    );
    expectBadRequest(() => map({ messages: [{ role: "user", content: [] }] }), "messages[0].content", "invalid_value");
    expectBadRequest(() => parseMessagesRequest({ model: "sonnet", messages: [] }), "max_tokens");
  });
});
