/**
 * Structured output: `output_config.format` (or the beta's `output_format`) `{type: "json_schema",
 * schema}` → the CLI's `--json-schema`, the schema normalised to what the CLI checks. The answer's
 * text block is then the JSON text, as Anthropic's is.
 */
import { normalizeJsonSchemaAt } from "../claude/normalize-json-schema.js";
import { invalidRequest } from "../errors.js";
import { jsonSchemaText } from "../turns/json-schema-text.js";
import type { MessagesRequest } from "./messages-request.js";

/** The schema as the CLI takes it (JSON text); undefined: no structured output asked for. */
export function parseMessagesOutputFormat(request: MessagesRequest): string | undefined {
  const configured = request.output_config?.format;
  const beta = (request as { output_format?: unknown }).output_format;
  const param = configured ? "output_config.format" : "output_format";
  const format = (configured ?? beta) as { type?: unknown; schema?: unknown } | null | undefined;
  if (format === undefined || format === null) return undefined;
  if (typeof format !== "object" || format.type !== "json_schema") {
    throw invalidRequest(`${param}.type: only 'json_schema' is supported.`, `${param}.type`, "invalid_value");
  }
  const schema = format.schema;
  const isObject = typeof schema === "object" && schema !== null && !Array.isArray(schema);
  const schemaParam = `${param}.schema`;
  return jsonSchemaText(
    isObject ? normalizeJsonSchemaAt(schema as Record<string, unknown>, schemaParam) : schema,
    schemaParam,
  );
}
