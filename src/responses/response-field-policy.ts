/**
 * What the gateway does with each Responses API request field, as openai/request-field-policy.ts
 * says it for Chat Completions: honoured, ignored (the CLI has no such control and the answer is
 * still right), or rejected with a 400 naming it (honouring it silently wrong would mislead). A test
 * keeps the table in step with OpenAI's spec.
 */
import { invalidRequest } from "../errors.js";
import type { FieldPolicy } from "../openai/request-field-policy.js";
import type { ResponsesRequest } from "./responses-request.js";

const present = (value: unknown) => value !== undefined && value !== null;
const noSampling = "the CLI has no sampling controls (the response says null)";
const ownCaching = "Claude Code caches prompts itself (cached tokens are reported)";

export const responseFieldPolicy: Record<string, FieldPolicy> = {
  model: { handling: "honoured", reason: "any model id or alias the CLI accepts" },
  input: {
    handling: "honoured",
    reason:
      "messages, function calls and their outputs; system/developer messages join the system prompt; reasoning items are skipped; trailing user messages or function call outputs are the turn's input",
  },
  instructions: { handling: "honoured", reason: "the system prompt, ahead of system/developer messages" },
  tools: {
    handling: "honoured",
    reason:
      "function and namespace tools become real tools of the model; OpenAI-hosted tools (web search, image generation, code interpreter, tool search) are left out; others are rejected",
  },
  tool_choice: {
    handling: "honoured",
    reason:
      "`none` offers no tools; `required` and a named function are asked of the model as an instruction; allowed_tools offers only those",
  },
  parallel_tool_calls: {
    handling: "honoured",
    reason: "`false` asks the model for one call at a time (an instruction: the CLI has no such switch)",
  },
  text: {
    handling: "honoured",
    reason: "format `json_schema` and `json_object` → the CLI's structured output; verbosity is ignored",
  },
  reasoning: {
    handling: "honoured",
    reason: "effort → the CLI's effort level; summary → thinking told as summary_text (else as reasoning_text)",
  },
  store: {
    handling: "honoured",
    reason:
      "`false`: the response is not kept (no retrieve, no previous_response_id); its conversation is, so a resent history continues the CLI session",
  },
  previous_response_id: {
    handling: "honoured",
    reason: "continues that response's conversation in its CLI session; only a conversation's newest response",
  },
  conversation: { handling: "honoured", reason: "continues that conversation" },
  stream: { handling: "honoured", reason: "real token streaming from the CLI's stream events" },
  stream_options: { handling: "ignored", reason: "no obfuscation padding is sent" },
  metadata: { handling: "honoured", reason: "kept with the response and echoed" },
  max_output_tokens: { handling: "ignored", reason: "the CLI sets its own output limit per model" },
  max_tool_calls: { handling: "ignored", reason: "limits hosted tools, of which none are offered" },
  temperature: { handling: "ignored", reason: noSampling },
  top_p: { handling: "ignored", reason: noSampling },
  user: { handling: "ignored", reason: "accepted for compatibility" },
  safety_identifier: { handling: "ignored", reason: "accepted for compatibility; nothing is sent to OpenAI" },
  prompt_cache_key: { handling: "ignored", reason: ownCaching },
  prompt_cache_retention: { handling: "ignored", reason: ownCaching },
  prompt_cache_options: { handling: "ignored", reason: ownCaching },
  service_tier: { handling: "ignored", reason: "the CLI chooses the tier" },
  truncation: { handling: "ignored", reason: "Claude Code manages its context itself (it compacts)" },
  context_management: { handling: "ignored", reason: "Claude Code manages its context itself (it compacts)" },
  include: {
    handling: "rejected",
    rejects: (value) => Array.isArray(value) && value.includes("message.output_text.logprobs"),
    reason:
      "Claude returns no log probabilities; other values are ignored (no encrypted reasoning exists: the thinking stays in the CLI session)",
  },
  top_logprobs: {
    handling: "rejected",
    rejects: (value) => typeof value === "number" && value > 0,
    reason: "Claude returns no log probabilities",
  },
  background: {
    handling: "rejected",
    rejects: (value) => value === true,
    reason: "no background mode: a response runs while its request is open",
  },
  prompt: {
    handling: "rejected",
    rejects: present,
    reason: "prompt templates are kept by OpenAI; send the instructions and input themselves",
  },
  moderation: {
    handling: "rejected",
    rejects: present,
    reason: "OpenAI moderation is not available (Claude's own safety applies, refusals end the response incomplete)",
  },
};

/** Throws a 400 naming the first field whose value the gateway cannot honour. */
export function rejectUnsupportedResponseFields(request: ResponsesRequest): void {
  for (const [field, policy] of Object.entries(responseFieldPolicy)) {
    if (policy.handling !== "rejected") continue;
    const value = (request as Record<string, unknown>)[field];
    if (policy.rejects?.(value)) {
      throw invalidRequest(`Unsupported parameter '${field}': ${policy.reason}.`, field, "unsupported_parameter");
    }
  }
}
