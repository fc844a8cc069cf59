/**
 * The Responses API's `text.format` → the CLI's structured output (`--json-schema`), as
 * `response_format` is for Chat Completions: `json_schema` is its schema, `json_object` the schema
 * of any object, `text` (or nothing) plain text. Here the schema sits flat in the format
 * (`{type, name, schema, strict}`), not under a `json_schema` key.
 */
import { invalidRequest } from "../errors.js";
import { jsonSchemaText } from "../turns/json-schema-text.js";
import type { ResponsesRequest } from "./responses-request.js";

type Schema = Record<string, unknown>;

/**
 * The JSON Schema as text for the command line, or undefined for plain text. `normalise`: how the
 * client's schema is adapted to what the CLI honours (by default, jsonSchemaText's own).
 */
export function parseTextFormat(request: ResponsesRequest, normalise?: (schema: Schema) => Schema): string | undefined {
  const format = request.text?.format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return JSON.stringify({ type: "object" });
  if (format.type === "json_schema") {
    return jsonSchemaText((format as { schema?: unknown }).schema, "text.format.schema", normalise);
  }
  throw invalidRequest(`Invalid value for 'text.format.type': '${format.type}'.`, "text.format.type", "invalid_value");
}
