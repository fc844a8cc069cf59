/**
 * `response_format` → the CLI's structured output (`--json-schema`): the model answers through a
 * `StructuredOutput` tool the CLI adds and checks, and the object becomes the message content as
 * JSON text. `json_object` is the schema of any object; `text` (or nothing) is plain text. The
 * schema is normalised into the draft-07 the CLI compiles (it drops any other schema silently).
 */
import { normalizeJsonSchemaAt } from "../claude/normalize-json-schema.js";
import { invalidRequest } from "../errors.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

const maxSchemaBytes = 64 * 1024;

/** The JSON Schema (as text, for the command line), or undefined for plain text. */
export function parseResponseFormat(request: ChatCompletionRequest): string | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return JSON.stringify({ type: "object" });
  if (format.type === "json_schema") {
    const schema = (format as { json_schema?: { schema?: unknown } }).json_schema?.schema;
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
      throw invalidRequest(
        "response_format.json_schema.schema must be a JSON Schema object.",
        "response_format.json_schema.schema",
        "invalid_value",
      );
    }
    if ((schema as { type?: unknown }).type !== "object") {
      throw invalidRequest(
        "Structured output needs a schema of type 'object' at its root.",
        "response_format.json_schema.schema",
        "invalid_value",
      );
    }
    const text = JSON.stringify(normalizedSchema(schema as Record<string, unknown>));
    // It goes on the CLI's command line, where one argument may hold at most 128 KiB (Linux's
    // MAX_ARG_STRLEN): larger, the process could not even start.
    if (Buffer.byteLength(text) > maxSchemaBytes) {
      throw invalidRequest(
        `The schema is larger than ${maxSchemaBytes / 1024} KiB of JSON.`,
        "response_format.json_schema.schema",
        "schema_too_large",
      );
    }
    return text;
  }
  throw invalidRequest(
    `Invalid value for 'response_format.type': '${format.type}'.`,
    "response_format.type",
    "invalid_value",
  );
}

function normalizedSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return normalizeJsonSchemaAt(schema, "response_format.json_schema.schema");
}
