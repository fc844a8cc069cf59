import { describe, expect, it } from "vitest";
import { estimateInputTokens } from "./count-tokens.js";
import { parseCountTokensRequest } from "./messages-request.js";

const estimate = (body: Record<string, unknown>) =>
  estimateInputTokens(parseCountTokensRequest({ model: "sonnet", ...body })).input_tokens;

describe("estimateInputTokens", () => {
  it("counts about four characters per token, plus each message's framing", () => {
    expect(estimate({ messages: [{ role: "user", content: "x".repeat(400) }] })).toBe(104);
  });

  it("counts the system prompt, tool definitions, tool inputs and results, and images", () => {
    const base = estimate({ messages: [{ role: "user", content: "hi" }] });
    expect(estimate({ system: "s".repeat(40), messages: [{ role: "user", content: "hi" }] })).toBe(base + 10);
    const tools = [{ name: "t", input_schema: { type: "object" } }];
    expect(estimate({ tools, messages: [{ role: "user", content: "hi" }] })).toBeGreaterThan(base);
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(10_000) } };
    expect(estimate({ messages: [{ role: "user", content: [image, { type: "text", text: "hi" }] }] })).toBe(
      base + 1_600,
    );
    const exchange = [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "t", input: { q: "x".repeat(80) } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "y".repeat(80) }] },
    ];
    expect(estimate({ messages: exchange })).toBeGreaterThan(base + 40);
  });
});
