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

describe("OpenAPI validator, Responses API", () => {
  const response = {
    id: "resp_1",
    object: "response",
    created_at: 1,
    status: "completed",
    error: null,
    incomplete_details: null,
    instructions: null,
    model: "m",
    output: [],
    parallel_tool_calls: true,
    metadata: {},
    tool_choice: "auto",
    tools: [],
    temperature: null,
    top_p: null,
  };

  it("accepts a well-formed response and rejects one missing a required field", () => {
    expect(specViolations("Response", response)).toEqual([]);
    const { tools: _, ...withoutTools } = response;
    expect(specViolations("Response", withoutTools)).not.toEqual([]);
  });

  it("rejects a stream event missing a required field, though the spec's unions are taken as anyOf", () => {
    const delta = {
      type: "response.output_text.delta",
      item_id: "msg_1",
      output_index: 0,
      content_index: 0,
      delta: "x",
    };
    expect(specViolations("ResponseStreamEvent", { ...delta, logprobs: [], sequence_number: 0 })).toEqual([]);
    expect(specViolations("ResponseStreamEvent", { ...delta, sequence_number: 0 })).not.toEqual([]);
    expect(specViolations("Response", { ...response, output: [{ type: "message", role: "assistant" }] })).not.toEqual(
      [],
    );
  });
});
