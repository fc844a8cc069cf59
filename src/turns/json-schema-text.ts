/**
 * A structured-output schema as the CLI takes it (`--json-schema <text>`), checked where the CLI
 * cannot: the model answers through a `StructuredOutput` tool whose input is the answer, and a tool's
 * input is an object — so the root must be of type object; and the text goes on the command line,
 * where one argument may hold at most 128 KiB (Linux's MAX_ARG_STRLEN) — larger, the process could
 * not even start. Written once for every dialect's structured output.
 */
import { invalidRequest } from "../errors.js";

const maxSchemaBytes = 64 * 1024;

/** `param`: where the schema is in the request, for errors. */
export function jsonSchemaText(schema: unknown, param: string): string {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw invalidRequest(`${param} must be a JSON Schema object.`, param, "invalid_value");
  }
  if ((schema as { type?: unknown }).type !== "object") {
    throw invalidRequest("Structured output needs a schema of type 'object' at its root.", param, "invalid_value");
  }
  const text = JSON.stringify(schema);
  if (Buffer.byteLength(text) > maxSchemaBytes) {
    throw invalidRequest(`The schema is larger than ${maxSchemaBytes / 1024} KiB of JSON.`, param, "schema_too_large");
  }
  return text;
}
