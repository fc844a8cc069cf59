/** response_format → the CLI's structured output (--json-schema), with the real CLI and the mock. */
import { ChatOpenAI } from "@langchain/openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway();
});
afterAll(() => test.close());

const person = {
  type: "json_schema" as const,
  json_schema: {
    name: "person",
    strict: true,
    schema: {
      type: "object",
      properties: {
        name: { type: "string" },
        age: { type: "integer" },
        tags: { type: "array", items: { type: "string" } },
      },
      required: ["name", "age", "tags"],
      additionalProperties: false,
    },
  },
};

function offeredSchema(): unknown {
  const body = test.environment.mock.messageRequests().at(-1)?.body;
  return body?.tools?.find((tool) => tool.name === "StructuredOutput")?.input_schema;
}

describe("structured output", () => {
  it("answers a json_schema request with the JSON text of the object the CLI checked", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "Describe a person." }],
      response_format: person,
    });
    const content = completion.choices[0]?.message.content ?? "";
    expect(JSON.parse(content)).toEqual({ name: "mock", age: 42, tags: ["mock"] });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(JSON.stringify(offeredSchema())).toContain('"required":["name","age","tags"]');
    expect(specViolations("CreateChatCompletionResponse", completion)).toEqual([]);
  });

  it("answers json_object with a JSON object", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "Any object." }],
      response_format: { type: "json_object" },
    });
    expect(typeof JSON.parse(completion.choices[0]?.message.content ?? "")).toBe("object");
    expect(offeredSchema()).toMatchObject({ type: "object" });
  });

  it("streams only the JSON, not the model's words on the way", async () => {
    const response = await test.post({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "Describe a person." }],
      response_format: person,
    });
    const chunks = (await readSse(response)).filter((data) => data !== "[DONE]").map((data) => JSON.parse(data));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
    expect(JSON.parse(text)).toEqual({ name: "mock", age: 42, tags: ["mock"] });
  });

  // zod 4 writes `$schema` 2020-12 and `format`, both of which make CLI 2.1.197 drop the schema.
  const Person = z.object({
    name: z.string(),
    site: z.url(),
    born: z.iso.datetime(),
    nickname: z.string().nullable(),
    tags: z.array(z.string()),
  });
  const mockPerson = {
    name: "mock",
    site: "https://example.com/mock",
    born: "2020-01-02T03:04:05Z",
    nickname: "mock",
    tags: ["mock"],
  };

  it("answers LangChain's withStructuredOutput (a json_schema of $schema 2020-12) with the parsed object", async () => {
    const chat = new ChatOpenAI({
      model: "sonnet",
      apiKey: "unused",
      configuration: { baseURL: `${test.url}/v1` },
      maxRetries: 0,
    });
    const person = await chat.withStructuredOutput(Person).invoke("Describe a person.");
    expect(person).toEqual(mockPerson);
    expect(offeredSchema()).toMatchObject({ properties: { site: { type: "string", description: "Format: uri." } } });
    expect(JSON.stringify(offeredSchema())).not.toContain("$schema");
  });

  it("answers the openai SDK's zodResponseFormat (strict, draft-07 with format) with the parsed object", async () => {
    const completion = await test.client.chat.completions.parse({
      model: "sonnet",
      messages: [{ role: "user", content: "Describe a person." }],
      response_format: zodResponseFormat(Person, "person"),
    });
    expect(completion.choices[0]?.message.parsed).toEqual(mockPerson);
  });

  it("fails with 502 structured_output_missing when the model never gives the object", async () => {
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: "[[no-structured]] Refuse the format." }],
      response_format: person,
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("structured_output_missing");
  });

  it("rejects a schema that is not an object schema, naming the param", async () => {
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "string" } } },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(
      "response_format.json_schema.schema",
    );
  });

  it("rejects a schema nested too deep to walk with 400, naming the param", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 500; level++) schema = { type: "object", properties: { inner: schema } };
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { name: "n", schema } },
    });
    expect(response.status).toBe(400);
    // The body's own depth limit answers first, naming the field.
    const error = ((await response.json()) as { error: { param: string; code: string } }).error;
    expect(error).toMatchObject({ param: "response_format", code: "nesting_too_deep" });
  });

  it("rejects a schema too large for the CLI's command line with 400, not a failed process", async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 3000 }, (_, index) => [`field_${index}`, { type: "string", description: "x".repeat(20) }]),
    );
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object", properties } } },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("schema_too_large");
  });
});
