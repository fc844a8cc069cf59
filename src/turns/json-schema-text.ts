/**
 * A structured-output schema as the CLI takes it (`--json-schema <text>`), checked where the CLI
 * cannot: the model answers through a `StructuredOutput` tool whose input is the answer, and a tool's
 * input is an object — so the root must be of type object; and the text goes on the command line,
 * where one argument may hold at most 128 KiB (Linux's MAX_ARG_STRLEN) — larger, the process could
 * not even start. Written once for every dialect's structured output.
 */
import { normalizeJsonSchemaAt } from "../claude/normalize-json-schema.js";
import { invalidRequest } from "../errors.js";

const maxSchemaBytes = 64 * 1024;

/**
 * `param`: where the schema is in the request, for errors. `normalise` adapts a client's schema to
 * the draft-07 the CLI honours (claude/normalize-json-schema.ts) before it is checked and measured.
 */
export function jsonSchemaText(
  given: unknown,
  param: string,
  normalise: (schema: Record<string, unknown>) => Record<string, unknown> = (schema) =>
    normalizeJsonSchemaAt(schema, param),
): string {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw invalidRequest(`${param} must be a JSON Schema object.`, param, "invalid_value");
  }
  const schema = normalise(given as Record<string, unknown>);
  if ((schema as { type?: unknown }).type !== "object") {
    throw invalidRequest("Structured output needs a schema of type 'object' at its root.", param, "invalid_value");
  }
  const text = JSON.stringify(schema);
  if (Buffer.byteLength(text) > maxSchemaBytes) {
    throw invalidRequest(`The schema is larger than ${maxSchemaBytes / 1024} KiB of JSON.`, param, "schema_too_large");
  }
  return text;
}
