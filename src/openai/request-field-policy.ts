/**
 * What the gateway does with each Chat Completions request field. A field is honoured, ignored
 * (the CLI has no such control and the answer is still correct), or rejected with a 400 naming it
 * (honouring it silently wrong would mislead the client). The README's field table mirrors this
 * table; a test keeps the two in step.
 */
import { invalidRequest } from "../errors.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

export type FieldHandling = "honoured" | "ignored" | "rejected";

export interface FieldPolicy {
  handling: FieldHandling;
  /** For rejected fields: whether this value is a problem (e.g. `n: 1` is fine, `n: 2` is not). */
  rejects?: (value: unknown) => boolean;
  reason: string;
}

const present = (value: unknown) => value !== undefined && value !== null;
const nonEmptyArray = (value: unknown) => Array.isArray(value) && value.length > 0;

export const requestFieldPolicy: Record<string, FieldPolicy> = {
  model: { handling: "honoured", reason: "any model id or alias the CLI accepts; switched per request with set_model" },
  messages: {
    handling: "honoured",
    reason:
      "system/developer → system prompt; a known conversation's history → continued in its CLI session, other earlier turns → replayed as text; trailing user messages → the prompt",
  },
  conversation_id: {
    handling: "honoured",
    reason: "gateway extension (also the `x-conversation-id` header): continue that conversation",
  },
  stream: { handling: "honoured", reason: "real token streaming from the CLI's stream events" },
  stream_options: { handling: "honoured", reason: "include_usage adds the final usage chunk" },
  n: {
    handling: "rejected",
    rejects: (value) => typeof value === "number" && value !== 1,
    reason: "one Claude turn gives one choice; n other than 1 is rejected",
  },
  temperature: { handling: "ignored", reason: "the CLI has no sampling controls" },
  top_p: { handling: "ignored", reason: "the CLI has no sampling controls" },
  frequency_penalty: { handling: "ignored", reason: "no equivalent in Claude" },
  presence_penalty: { handling: "ignored", reason: "no equivalent in Claude" },
  seed: { handling: "ignored", reason: "Claude has no seeded sampling" },
  logit_bias: { handling: "ignored", reason: "no equivalent in Claude" },
  max_tokens: { handling: "ignored", reason: "the CLI sets its own output limit per model" },
  max_completion_tokens: { handling: "ignored", reason: "the CLI sets its own output limit per model" },
  user: { handling: "ignored", reason: "accepted for compatibility" },
  metadata: { handling: "ignored", reason: "accepted for compatibility; nothing is stored with OpenAI" },
  store: {
    handling: "honoured",
    reason:
      "`false`: a one-off completion, kept as no conversation (its process is cleared at once); otherwise a conversation",
  },
  service_tier: { handling: "ignored", reason: "the CLI chooses the tier" },
  prompt_cache_key: { handling: "ignored", reason: "Claude Code caches prompts itself (cached tokens are reported)" },
  prompt_cache_options: { handling: "ignored", reason: "Claude Code caches prompts itself" },
  prompt_cache_retention: { handling: "ignored", reason: "Claude Code caches prompts itself" },
  safety_identifier: { handling: "ignored", reason: "accepted for compatibility; nothing is sent to OpenAI" },
  verbosity: { handling: "ignored", reason: "no such control in the CLI; ask for brevity in the prompt" },
  moderation: {
    handling: "rejected",
    rejects: present,
    reason: "OpenAI moderation is not available (Claude's own safety applies, refusals come back as content_filter)",
  },
  web_search_options: {
    handling: "rejected",
    rejects: present,
    reason: "OpenAI's web search tool is not available through this gateway",
  },
  reasoning_effort: {
    handling: "honoured",
    reason: "→ the CLI's effort level (none/minimal → low … xhigh; max as an extension)",
  },
  prediction: { handling: "ignored", reason: "a latency hint only; the answer is unaffected" },
  parallel_tool_calls: {
    handling: "honoured",
    reason: "`false` asks the model for one call at a time (an instruction: the CLI has no such switch)",
  },
  stop: {
    handling: "rejected",
    rejects: (value) => present(value) && !(Array.isArray(value) && value.length === 0),
    reason: "the CLI has no stop sequences (cutting its answer would leave the session ahead of the client)",
  },
  logprobs: { handling: "rejected", rejects: (value) => value === true, reason: "Claude returns no log probabilities" },
  top_logprobs: {
    handling: "rejected",
    rejects: (value) => typeof value === "number" && value > 0,
    reason: "Claude returns no log probabilities",
  },
  tools: {
    handling: "honoured",
    reason: "functions become real tools of the model; calls come back as `tool_calls`",
  },
  tool_choice: {
    handling: "honoured",
    reason: "`none` offers no tools; `required` and a named function are asked of the model as an instruction",
  },
  functions: { handling: "rejected", rejects: nonEmptyArray, reason: "legacy function calling is not supported" },
  function_call: {
    handling: "rejected",
    rejects: (value) => present(value) && value !== "none" && value !== "auto",
    reason: "legacy function calling is not supported",
  },
  response_format: {
    handling: "honoured",
    reason: "`json_schema` and `json_object` → the CLI's structured output; the content is the JSON text",
  },
  modalities: {
    handling: "rejected",
    rejects: (value) => Array.isArray(value) && value.some((modality) => modality !== "text"),
    reason: "only text output is available",
  },
  audio: { handling: "rejected", rejects: present, reason: "audio output is not available" },
};

/** Throws a 400 naming the first field whose value the gateway cannot honour. */
export function rejectUnsupportedFields(request: ChatCompletionRequest): void {
  for (const [field, policy] of Object.entries(requestFieldPolicy)) {
    if (policy.handling !== "rejected") continue;
    const value = (request as Record<string, unknown>)[field];
    if (policy.rejects?.(value)) {
      throw invalidRequest(`Unsupported parameter '${field}': ${policy.reason}.`, field, "unsupported_parameter");
    }
  }
}
