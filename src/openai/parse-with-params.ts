/** zod validation → an OpenAI-style 400 naming the offending `param` (`messages[0].content`). */
import type { z } from "zod";
import { type GatewayError, invalidRequest } from "../errors.js";

type Issue = z.core.$ZodIssue;

/** `messages.0.content` → `messages[0].content`, the way OpenAI names params. */
function paramName(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((name, segment) => {
    if (typeof segment === "number") return `${name}[${segment}]`;
    return name ? `${name}.${String(segment)}` : String(segment);
  }, "");
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

export function parseWithParams<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  special?: (param: string, issue: Issue) => GatewayError | undefined,
): z.output<Schema> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const param = paramName(path);
  if (issue?.code === "invalid_type" && valueAt(body, path) === undefined) {
    throw invalidRequest(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
  }
  const specific = issue && special?.(param, issue);
  if (specific) throw specific;
  throw invalidRequest(`Invalid value for '${param}': ${issue?.message ?? "invalid"}.`, param, "invalid_value");
}
