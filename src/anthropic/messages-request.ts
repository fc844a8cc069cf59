/**
 * The Messages API request as the gateway accepts it: lenient in (unknown fields pass, as Claude
 * Code sends many), strict on the types of the fields it reads — a wrong type is a 400 naming the
 * field. `model` and `max_tokens` are required, as Anthropic requires them.
 */
import { z } from "zod";
import { parseWithParams } from "../openai/parse-with-params.js";

const block = z.looseObject({ type: z.string() });
const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });

const message = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(block)]),
});

const tool = z.looseObject({
  type: z.string().nullable().optional(),
  name: z.string(),
  description: z.string().optional(),
  input_schema: z.unknown().optional(),
});

const toolChoice = z.looseObject({
  type: z.enum(["auto", "any", "tool", "none"]),
  name: z.string().optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

const thinking = z.looseObject({
  type: z.enum(["enabled", "disabled", "adaptive", "between_tools"]),
  budget_tokens: z.number().int().min(1).optional(),
  display: z.enum(["summarized", "omitted"]).nullable().optional(),
});

const messagesRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: z
    .looseObject({
      effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullable().optional(),
      format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullable().optional(),
    })
    .optional(),
  service_tier: z.string().optional(),
  container: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
  context_management: z.unknown().optional(),
  cache_control: z.unknown().optional(),
  inference_geo: z.string().nullable().optional(),
  speed: z.string().nullable().optional(),
  /** The gateway's extension: continue this conversation (also the `x-conversation-id` header). */
  conversation_id: z.string().min(1).optional(),
});

export type MessagesRequest = z.output<typeof messagesRequestSchema>;
export type MessageParam = MessagesRequest["messages"][number];
export type ContentBlockParam = Exclude<MessageParam["content"], string>[number];

export function parseMessagesRequest(body: unknown): MessagesRequest {
  return parseWithParams(messagesRequestSchema, body);
}

/** count_tokens takes what a message would, less what only shapes the answer. */
const countTokensRequestSchema = messagesRequestSchema.omit({ max_tokens: true });
export type CountTokensRequest = z.output<typeof countTokensRequestSchema>;

export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  return parseWithParams(countTokensRequestSchema, body);
}
