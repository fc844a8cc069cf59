import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { normalizeJsonSchema } from "./normalize-json-schema.js";

/** What CLI 2.1.197 does with `--json-schema`: a schema this throws on is silently dropped. */
function compileAsTheCli(schema: unknown): (data: unknown) => boolean {
  const ajv = new Ajv({ allErrors: true });
  if (!ajv.validateSchema(schema as object)) throw new Error(ajv.errorsText(ajv.errors));
  const validate = ajv.compile(schema as object);
  return (data) => validate(data) as boolean;
}

const person = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

describe("normalizeJsonSchema", () => {
  it.each([
    ["$schema 2020-12", { $schema: "https://json-schema.org/draft/2020-12/schema", ...person }],
    ["$schema 2019-09", { $schema: "https://json-schema.org/draft/2019-09/schema#", ...person }],
    ["$schema draft-07 over https", { $schema: "https://json-schema.org/draft-07/schema#", ...person }],
    ["a format", { type: "object", properties: { site: { type: "string", format: "uri" } } }],
    ["an unknown keyword", { ...person, strict: true, "x-order": 1, discriminator: { propertyName: "name" } }],
    ["2020-12 keywords without a draft-07 form", { ...person, $anchor: "p", unevaluatedProperties: false }],
    // `then` spelled in JSON: as an object literal's key it would make the object a thenable.
    ["then without if", JSON.parse('{"type":"object","then":{"required":["name"]}}')],
    ["additionalItems without a tuple", { type: "array", items: { type: "string" }, additionalItems: false }],
    ["nullable without type", { type: "object", properties: { name: { nullable: true } } }],
    [
      "a pattern JavaScript cannot compile",
      { type: "object", properties: { id: { type: "string", pattern: "(?P<x>a)" } } },
    ],
    [
      "draft-04 exclusive bounds",
      { type: "object", properties: { n: { type: "number", minimum: 0, exclusiveMinimum: true } } },
    ],
    ["a repeated required", { ...person, required: ["name", "name"] }],
  ])("makes a schema with %s one the CLI compiles", (_, schema) => {
    expect(() => compileAsTheCli(schema)).toThrow();
    expect(() => compileAsTheCli(normalizeJsonSchema(schema))).not.toThrow();
  });

  it("keeps a draft-07 schema the CLI already takes as it is", () => {
    const schema = {
      type: "object",
      title: "Person",
      properties: { name: { $ref: "#/$defs/name" }, tags: { type: "array", items: { type: "string" }, minItems: 1 } },
      required: ["name", "tags"],
      additionalProperties: false,
      $defs: { name: { type: ["string", "null"], pattern: "^[A-Z]" } },
    };
    expect(normalizeJsonSchema(schema)).toEqual(schema);
  });

  it("keeps the constraints in their draft-07 form", () => {
    const validate = compileAsTheCli(
      normalizeJsonSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: {
          pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false, minItems: 2 },
          n: { type: "number", minimum: 0, exclusiveMinimum: true },
          card: { type: "string" },
          billing: { type: "string" },
        },
        dependentRequired: { card: ["billing"] },
      }),
    );
    expect(validate({ pair: ["a", 1], n: 1, card: "x", billing: "y" })).toBe(true);
    expect(validate({ pair: ["a", 1, 2] })).toBe(false);
    expect(validate({ pair: ["a"] })).toBe(false);
    expect(validate({ pair: [1, "a"] })).toBe(false);
    expect(validate({ n: 0 })).toBe(false);
    expect(validate({ card: "x" })).toBe(false);
  });

  it("tells the model a dropped format in the description", () => {
    const normalized = normalizeJsonSchema({
      type: "object",
      properties: { at: { type: "string", format: "date-time", description: "When" }, site: { format: "uri" } },
    });
    expect(normalized.properties).toEqual({
      at: { type: "string", description: "When (format: date-time)" },
      site: { description: "Format: uri." },
    });
  });

  it("reads property names as names, not keywords", () => {
    const schema = { type: "object", properties: { format: { type: "string" }, strict: { type: "boolean" } } };
    expect(normalizeJsonSchema(schema)).toEqual(schema);
  });

  it("refuses a schema nested past the depth it walks", () => {
    let schema: Record<string, unknown> = { type: "object" };
    for (let level = 0; level < 5000; level++) schema = { not: schema };
    expect(() => normalizeJsonSchema(schema)).toThrow(RangeError);
  });

  it("makes what zod 4 writes (LangChain's withStructuredOutput) compile, and leaves its input alone", () => {
    const schema = z.toJSONSchema(
      z.object({
        name: z.string().describe("Full name"),
        email: z.email(),
        born: z.iso.datetime(),
        nickname: z.string().nullable(),
        friends: z.array(z.object({ name: z.string() })),
        pair: z.tuple([z.string(), z.number()]),
      }),
    ) as Record<string, unknown>;
    const copy = structuredClone(schema);
    const validate = compileAsTheCli(normalizeJsonSchema(schema));
    expect(schema).toEqual(copy);
    const person = {
      name: "Ada",
      email: "ada@example.com",
      born: "1815-12-10T00:00:00Z",
      nickname: null,
      friends: [{ name: "Charles" }],
      pair: ["a", 1],
    };
    expect(validate(person)).toBe(true);
    expect(validate({ ...person, born: "yesterday" })).toBe(false);
  });
});
