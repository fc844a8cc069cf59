import { describe, expect, it } from "vitest";
import { specViolations } from "./openapi-validator.js";

// The validator is only as good as its ability to say no: check it rejects what the spec forbids.
describe("OpenAPI validator", () => {
  const completion = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [
      { index: 0, message: { role: "assistant", content: "hi", refusal: null }, logprobs: null, finish_reason: "stop" },
    ],
  };

  it("accepts a well-formed chat completion", () => {
    expect(specViolations("CreateChatCompletionResponse", completion)).toEqual([]);
  });

  it("rejects a completion missing the required logprobs and refusal", () => {
    const choice = { index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" };
    expect(specViolations("CreateChatCompletionResponse", { ...completion, choices: [choice] })).not.toEqual([]);
  });

  it("rejects an error without param and code", () => {
    expect(specViolations("ErrorResponse", { error: { message: "x", type: "y" } })).not.toEqual([]);
    expect(specViolations("ErrorResponse", { error: { message: "x", type: "y", param: null, code: null } })).toEqual(
      [],
    );
  });
});
