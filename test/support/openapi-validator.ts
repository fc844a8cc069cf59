/**
 * Validates gateway responses against OpenAI's published OpenAPI spec (a copy in
 * test/fixtures/openai-openapi, MIT). The spec still uses OpenAPI 3.0's `nullable: true`, which Ajv's 2020 mode does
 * not know, so it is normalised first: `type: T` + nullable → `type: [T, "null"]`.
 *
 * A `oneOf` with a `discriminator` becomes an `anyOf`: OpenAPI picks the alternative by the tag, but
 * the spec's alternatives overlap without it (a Responses input message matches both
 * EasyInputMessage and InputMessage), so "exactly one" would reject valid values; and Ajv's own
 * discriminator support wants every alternative to require the tag, which these do not.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

const specPath = fileURLToPath(new URL("../fixtures/openai-openapi/openapi.json", import.meta.url));

function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== "object" || node === null) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) result[key] = normalise(value);
  if (result.discriminator !== undefined && Array.isArray(result.oneOf)) {
    result.anyOf = result.oneOf;
    delete result.oneOf;
    delete result.discriminator;
  }
  if (result.nullable === true) {
    delete result.nullable;
    if (typeof result.type === "string") {
      result.type = [result.type, "null"];
      if (Array.isArray(result.enum) && !result.enum.includes(null)) result.enum = [...result.enum, null];
    } else {
      const { description, ...rest } = result;
      return { description, anyOf: [rest, { type: "null" }] };
    }
  }
  return result;
}

let ajv: Ajv2020 | undefined;

function validator(): Ajv2020 {
  if (ajv) return ajv;
  const spec = normalise(JSON.parse(readFileSync(specPath, "utf8"))) as Record<string, unknown>;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat("unixtime", { type: "number", validate: (value: number) => Number.isInteger(value) && value >= 0 });
  for (const format of ["uri", "binary", "double", "int64", "float", "date"]) ajv.addFormat(format, true);
  ajv.addSchema({ $id: "openapi.json", components: spec.components });
  return ajv;
}

export type SpecSchema =
  | "CreateChatCompletionResponse"
  | "CreateChatCompletionStreamResponse"
  | "ErrorResponse"
  | "ListModelsResponse"
  | "Model"
  | "ConversationResource"
  | "ConversationItemList"
  | "DeletedConversationResource"
  | "CreateResponse"
  | "Response"
  | "ResponseStreamEvent"
  | "ResponseItemList";

/** Returns the spec violations of `value` (an empty list when it conforms). */
export function specViolations(schema: SpecSchema, value: unknown): string[] {
  const validate = validator().getSchema(`openapi.json#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema} in the spec`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
}

/** Every property name a spec schema allows, through allOf/anyOf/oneOf and references. */
export function specProperties(schema: string): string[] {
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, SchemaNode> } };
  const names = new Set<string>();
  const visit = (node: SchemaNode | undefined): void => {
    if (!node) return;
    if (node.$ref) {
      visit(spec.components.schemas[node.$ref.split("/").at(-1) ?? ""]);
      return;
    }
    for (const name of Object.keys(node.properties ?? {})) names.add(name);
    for (const part of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) visit(part);
  };
  visit(spec.components.schemas[schema]);
  return [...names];
}

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, unknown>;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}
