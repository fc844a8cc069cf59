/**
 * The Responses API request (CreateResponse) as the gateway accepts it: lenient in (unknown fields
 * pass, e.g. Codex's `client_metadata`), strict on the types of the fields it reads — a wrong type
 * is a 400 naming the `param`. Input items stay loose here: their fields depend on their type, and
 * map-response-input.ts checks each against its type so the error can name e.g. `input[3].call_id`
 * (a zod union would only say `input[3]` is invalid).
 */
import { z } from "zod";
import { parseWithParams } from "../openai/parse-with-params.js";

const inputItem = z.looseObject({ type: z.string().nullable().optional() });

const optionalNumber = z.number().nullable().optional();
const optionalInteger = z.number().int().nullable().optional();
const optionalString = z.string().nullable().optional();

/** Codex encodes "unset" as an explicit null for several fields (`reasoning: null` among them). */
const reasoning = z.looseObject({
  effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"]).nullable().optional(),
  /** `none` is not in the spec but Codex has it (model_reasoning_summary = "none"). */
  summary: z.enum(["auto", "concise", "detailed", "none"]).nullable().optional(),
  /** The deprecated name of `summary`. */
  generate_summary: z.enum(["auto", "concise", "detailed", "none"]).nullable().optional(),
});

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1).max(256).optional(),
  input: z.union([z.string(), z.array(inputItem)]).optional(),
  instructions: optionalString,
  tools: z
    .array(z.looseObject({ type: z.string() }))
    .nullable()
    .optional(),
  tool_choice: z
    .union([z.string(), z.looseObject({ type: z.string() })])
    .nullable()
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z
    .looseObject({
      format: z.looseObject({ type: z.string() }).nullable().optional(),
      verbosity: optionalString,
    })
    .nullable()
    .optional(),
  reasoning: reasoning.nullable().optional(),
  max_output_tokens: optionalInteger,
  max_tool_calls: optionalInteger,
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  include: z.array(z.string()).nullable().optional(),
  prompt_cache_key: optionalString,
  prompt_cache_retention: optionalString,
  prompt_cache_options: z.unknown().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().min(1).nullable().optional(),
  conversation: z
    .union([z.string().min(1), z.looseObject({ id: z.string().min(1) })])
    .nullable()
    .optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullable().optional(),
  temperature: optionalNumber,
  top_p: optionalNumber,
  top_logprobs: optionalInteger,
  user: optionalString,
  safety_identifier: optionalString,
  service_tier: optionalString,
  truncation: optionalString,
  background: z.boolean().nullable().optional(),
  prompt: z.unknown().optional(),
  moderation: z.unknown().optional(),
  context_management: z.unknown().optional(),
  /** Codex's per-turn metadata (not in OpenAI's spec): accepted and ignored. */
  client_metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});

export type ResponsesRequest = z.output<typeof responsesRequestSchema>;
export type ResponseInputItem = Exclude<ResponsesRequest["input"], string | undefined>[number];

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  return parseWithParams(responsesRequestSchema, body);
}
