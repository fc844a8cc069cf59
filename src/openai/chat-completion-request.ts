/**
 * The Chat Completions request as the gateway accepts it: lenient in (unknown fields pass), strict
 * on the types of the fields it reads — a wrong type is a 400 naming the `param`.
 */
import { z } from "zod";
import { invalidRequest } from "../errors.js";

const contentPart = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        type: z.string().optional(),
        function: z.looseObject({ name: z.string(), arguments: z.string().optional() }).optional(),
      }),
    )
    .nullable()
    .optional(),
  tool_call_id: z.string().optional(),
});

const optionalNumber = z.number().nullable().optional();
const optionalInteger = z.number().int().nullable().optional();

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).optional(),
  messages: z.array(message).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: optionalInteger,
  temperature: optionalNumber,
  top_p: optionalNumber,
  frequency_penalty: optionalNumber,
  presence_penalty: optionalNumber,
  seed: optionalInteger,
  max_tokens: optionalInteger,
  max_completion_tokens: optionalInteger,
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: optionalInteger,
  stop: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  store: z.boolean().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).optional(),
  parallel_tool_calls: z.boolean().optional(),
  functions: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
  response_format: z.looseObject({ type: z.string() }).optional(),
  modalities: z.array(z.string()).nullable().optional(),
  audio: z.unknown().optional(),
  prediction: z.unknown().optional(),
  service_tier: z.string().nullable().optional(),
  reasoning_effort: z.string().nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
});

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
export type ChatMessage = ChatCompletionRequest["messages"][number];

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

export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const param = paramName(path);
  if (issue?.code === "invalid_type" && valueAt(body, path) === undefined) {
    throw invalidRequest(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
  }
  if (param === "messages" && issue?.code === "too_small") {
    throw invalidRequest("'messages' must contain at least one message.", param, "invalid_value");
  }
  throw invalidRequest(`Invalid value for '${param}': ${issue?.message ?? "invalid"}.`, param, "invalid_value");
}
