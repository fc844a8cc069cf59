/**
 * What the gateway does with each Messages API request field, as openai/request-field-policy.ts
 * says it for Chat Completions: honoured, ignored (the CLI has no such control and the answer is
 * still right), or rejected with a 400 naming it. The README's table mirrors this one, and a test
 * keeps it in step with the fields of Anthropic's SDK.
 */
import { invalidRequest } from "../errors.js";
import type { FieldPolicy } from "../openai/request-field-policy.js";
import type { MessagesRequest } from "./messages-request.js";

const present = (value: unknown) => value !== undefined && value !== null;
const noSampling = "the CLI has no sampling controls";
const ownContext = "Claude Code manages its context itself (it compacts)";

export const messagesFieldPolicy: Record<string, FieldPolicy> = {
  model: { handling: "honoured", reason: "required; any model id or alias the CLI accepts" },
  max_tokens: {
    handling: "ignored",
    reason:
      "required and checked as Anthropic does; the CLI sets its own output limit per model, so a smaller one is not enforced",
  },
  messages: {
    handling: "honoured",
    reason:
      "text, image (base64, url), tool_use and tool_result blocks; thinking blocks sent back are skipped (the thinking stays in the CLI session); system messages are told as system reminders; a known conversation's history continues its CLI session",
  },
  system: { handling: "honoured", reason: "the system prompt (text blocks joined)" },
  stream: { handling: "honoured", reason: "real token streaming from the CLI's stream events" },
  metadata: { handling: "ignored", reason: "accepted for compatibility (`user_id` is not used)" },
  stop_sequences: {
    handling: "rejected",
    rejects: (value) => Array.isArray(value) && value.length > 0,
    reason: "the CLI has no stop sequences (cutting its answer would leave the session ahead of the client)",
  },
  temperature: { handling: "ignored", reason: noSampling },
  top_p: { handling: "ignored", reason: noSampling },
  top_k: { handling: "ignored", reason: noSampling },
  tools: {
    handling: "honoured",
    reason: "custom tools become real tools of the model; server and built-in tool types are rejected",
  },
  tool_choice: {
    handling: "honoured",
    reason:
      "`none` offers no tools; `any`, `tool` and `disable_parallel_tool_use` are asked of the model as an instruction",
  },
  thinking: {
    handling: "honoured",
    reason:
      "thinking blocks only when it is on (`display: omitted` leaves their text out); a budget → the CLI's effort level, `disabled` → low",
  },
  output_config: {
    handling: "honoured",
    reason: "`effort` → the CLI's effort level; `format` json_schema → the CLI's structured output",
  },
  output_format: { handling: "honoured", reason: "the beta's structured output, as `output_config.format`" },
  cache_control: { handling: "ignored", reason: "Claude Code caches prompts itself (cache tokens are reported)" },
  context_management: { handling: "ignored", reason: ownContext },
  compaction: { handling: "ignored", reason: ownContext },
  service_tier: { handling: "ignored", reason: "the CLI chooses the tier" },
  speed: { handling: "ignored", reason: "the CLI chooses its speed" },
  inference_geo: { handling: "ignored", reason: "the CLI's login decides where inference runs" },
  diagnostics: { handling: "ignored", reason: "no diagnostics are returned" },
  fallbacks: {
    handling: "ignored",
    reason: "no fallback models are tried: an overloaded model is told as 529 overloaded_error",
  },
  billing_policy: { handling: "ignored", reason: "the CLI's login pays for every turn" },
  fallback_credit_token: { handling: "ignored", reason: "the CLI's login pays for every turn" },
  container: {
    handling: "rejected",
    rejects: present,
    reason: "code execution containers run on Anthropic's side, not through this gateway",
  },
  mcp_servers: {
    handling: "rejected",
    rejects: (value) => present(value) && !(Array.isArray(value) && value.length === 0),
    reason: "the MCP connector is not available; an operator grants MCP servers to a key (agent mode)",
  },
  thread: { handling: "rejected", rejects: present, reason: "server-side threads are not available" },
};

/** Throws a 400 naming the first field whose value the gateway cannot honour. */
export function rejectUnsupportedMessagesFields(request: Omit<MessagesRequest, "max_tokens">): void {
  for (const [field, policy] of Object.entries(messagesFieldPolicy)) {
    if (policy.handling !== "rejected") continue;
    if (policy.rejects?.((request as Record<string, unknown>)[field])) {
      throw invalidRequest(`${field}: ${policy.reason}.`, field, "unsupported_parameter");
    }
  }
}
