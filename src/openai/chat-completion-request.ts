/**
 * The Chat Completions request as the gateway accepts it: lenient in (unknown fields pass), strict
 * on the types of the fields it reads — a wrong type is a 400 naming the `param`.
 */
import { z } from "zod";
import { invalidRequest } from "../errors.js";
import { parseWithParams } from "./parse-with-params.js";

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
  model: z.string().min(1).max(256).optional(),
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
  prompt_cache_key: z.string().nullable().optional(),
  prompt_cache_options: z.unknown().optional(),
  prompt_cache_retention: z.string().nullable().optional(),
  safety_identifier: z.string().nullable().optional(),
  verbosity: z.string().nullable().optional(),
  moderation: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
  /** The gateway's extension: continue this conversation (also the `x-conversation-id` header). */
  conversation_id: z.string().min(1).optional(),
});

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
export type ChatMessage = ChatCompletionRequest["messages"][number];

export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  return parseWithParams(chatCompletionRequestSchema, body, (param, issue) =>
    param === "messages" && issue.code === "too_small"
      ? invalidRequest("'messages' must contain at least one message.", param, "invalid_value")
      : undefined,
  );
}
