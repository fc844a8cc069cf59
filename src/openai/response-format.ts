/**
 * `response_format` → the CLI's structured output (`--json-schema`): the model answers through a
 * `StructuredOutput` tool the CLI adds and checks, and the object becomes the message content as
 * JSON text. `json_object` is the schema of any object; `text` (or nothing) is plain text.
 */
import { invalidRequest } from "../errors.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

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
    return JSON.stringify(schema);
  }
  throw invalidRequest(
    `Invalid value for 'response_format.type': '${format.type}'.`,
    "response_format.type",
    "invalid_value",
  );
}
