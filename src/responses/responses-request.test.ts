import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../../test/support/expect-bad-request.js";
import { specProperties } from "../../test/support/openapi-validator.js";
import { rejectUnsupportedResponseFields, responseFieldPolicy } from "./response-field-policy.js";
import { parseTextFormat } from "./response-format.js";
import { mapResponseReasoningEffort, wantsReasoningSummary } from "./response-reasoning.js";
import { parseResponsesRequest } from "./responses-request.js";

const expectInvalid = expectBadRequest;

describe("parseResponsesRequest", () => {
  it("accepts unknown fields and explicit nulls", () => {
    const request = parseResponsesRequest({ input: "hi", reasoning: null, client_metadata: { a: "b" }, novel: 1 });
    expect(request.input).toBe("hi");
  });

  it("names the param of a wrong type", () => {
    expectInvalid(() => parseResponsesRequest({ input: 3 }), "input");
    expectInvalid(() => parseResponsesRequest({ input: "x", stream: "yes" }), "stream");
    expectInvalid(() => parseResponsesRequest({ input: "x", reasoning: { effort: "huge" } }), "reasoning.effort");
    expectInvalid(() => parseResponsesRequest({ input: "x", tools: [{ name: "f" }] }), "tools[0].type");
    expectInvalid(() => parseResponsesRequest({ input: "x", metadata: { a: 1 } }), "metadata.a");
    expectInvalid(() => parseResponsesRequest({ input: "x", conversation: 5 }), "conversation");
  });
});

describe("responseFieldPolicy", () => {
  it("decides every request field of OpenAI's spec", () => {
    const undecided = specProperties("CreateResponse").filter((field) => !(field in responseFieldPolicy));
    expect(undecided).toEqual([]);
  });

  it("rejects what it cannot honour, naming the field", () => {
    const reject = (body: Record<string, unknown>) => () =>
      rejectUnsupportedResponseFields(parseResponsesRequest(body));
    expectInvalid(reject({ input: "x", background: true }), "background", "unsupported_parameter");
    expectInvalid(reject({ input: "x", top_logprobs: 2 }), "top_logprobs");
    expectInvalid(reject({ input: "x", include: ["message.output_text.logprobs"] }), "include");
    expectInvalid(reject({ input: "x", prompt: { id: "pmpt_1" } }), "prompt");
    expect(
      reject({ input: "x", include: ["reasoning.encrypted_content"], background: false, top_logprobs: 0 }),
    ).not.toThrow();
  });
});

describe("parseTextFormat", () => {
  const format = (text: unknown) => parseTextFormat(parseResponsesRequest({ input: "x", text }));
  const schema = { type: "object", properties: { a: { type: "string" } } };

  it("gives the schema as text, or nothing for plain text", () => {
    expect(format({ format: { type: "json_schema", name: "a", schema, strict: true } })).toBe(JSON.stringify(schema));
    expect(format({ format: { type: "json_object" } })).toBe('{"type":"object"}');
    expect(format({ format: { type: "text" } })).toBeUndefined();
    expect(format({ verbosity: "low" })).toBeUndefined();
  });

  it("normalises the schema before checking it", () => {
    const request = parseResponsesRequest({ input: "x", text: { format: { type: "json_schema", name: "a", schema } } });
    expect(
      parseTextFormat(request, ({ properties }) => ({ type: "object", properties, additionalProperties: false })),
    ).toBe(JSON.stringify({ ...schema, additionalProperties: false }));
  });

  it("refuses schemas the CLI cannot take", () => {
    const param = "text.format.schema";
    expectInvalid(() => format({ format: { type: "json_schema", name: "a", schema: { type: "array" } } }), param);
    expectInvalid(() => format({ format: { type: "json_schema", name: "a" } }), param);
    const huge = { type: "object", description: "x".repeat(70 * 1024) };
    expectInvalid(
      () => format({ format: { type: "json_schema", name: "a", schema: huge } }),
      param,
      "schema_too_large",
    );
    expectInvalid(() => format({ format: { type: "xml" } }), "text.format.type");
  });
});

describe("reasoning", () => {
  const request = (reasoning: unknown) => parseResponsesRequest({ input: "x", reasoning });

  it("maps effort to the CLI's levels", () => {
    expect(mapResponseReasoningEffort(request({ effort: "minimal" }))).toBe("low");
    expect(mapResponseReasoningEffort(request({ effort: "xhigh" }))).toBe("xhigh");
    expect(mapResponseReasoningEffort(request(null))).toBeUndefined();
  });

  it("tells summaries when asked", () => {
    expect(wantsReasoningSummary(request({ summary: "auto" }))).toBe(true);
    expect(wantsReasoningSummary(request({ generate_summary: "concise" }))).toBe(true);
    expect(wantsReasoningSummary(request({ summary: "none" }))).toBe(false);
    expect(wantsReasoningSummary(request(undefined))).toBe(false);
  });
});
