/**
 * The `response` object of the Responses API, built with `satisfies` against the `openai` package's
 * types so drift from the spec fails the type check. It echoes the request's settings as OpenAI
 * does (instructions, tools, tool_choice, text, reasoning, metadata, store…) and always carries the
 * fields the spec requires, null where nothing applies (`error`, `incomplete_details`,
 * `temperature` and `top_p`: the CLI has no sampling controls, so none was applied). The usage and
 * error conversions live here and nowhere else.
 */
import { randomBytes } from "node:crypto";
import type {
  Response,
  ResponseError,
  ResponseOutputItem,
  ResponseUsage,
  Tool,
} from "openai/resources/responses/responses";
import type { GatewayError } from "../errors.js";
import type { TokenUsage } from "../turns/token-usage.js";
import type { ResponsesRequest } from "./responses-request.js";

/**
 * `output_text` is the SDKs' own convenience, computed client-side from `output`; it is not on the
 * wire. `store` is: OpenAI sends it, though neither its spec nor the SDK's type lists it.
 */
export type GatewayResponse = Omit<Response, "output_text"> & { store: boolean };

export interface ResponseIdentity {
  /** `resp_…` */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The conversation this response belongs to (none with `store: false`). */
  conversationId: string | undefined;
}

function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("hex")}`;
}

export function newResponseIdentity(conversationId: string | undefined): ResponseIdentity {
  return { id: randomId("resp"), createdAt: Math.floor(Date.now() / 1000), conversationId };
}

/** Output items are named by kind as OpenAI names them: `msg_…`, `rs_…`, `fc_…`. */
export function newItemId(kind: "msg" | "rs" | "fc"): string {
  return randomId(kind);
}

/**
 * The turn's usage as the Responses API counts it: input_tokens include the cached share and the
 * share written to the cache, each also told apart.
 */
export function responseUsage(usage: TokenUsage): ResponseUsage {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cachedInput, cache_write_tokens: usage.cacheWrite },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: usage.input + usage.output,
  };
}

/**
 * A failure as a failed response's `error`. The spec's codes are few: a rate limit says so (Codex
 * waits and retries), a refused request is an invalid prompt, anything else a server error; the
 * message keeps the gateway's words.
 */
export function responseError(error: GatewayError): ResponseError {
  const code = error.status === 429 ? "rate_limit_exceeded" : error.status < 500 ? "invalid_prompt" : "server_error";
  return { code, message: error.message };
}

type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export interface ResponseState {
  status: ResponseStatus;
  model: string;
  output: ResponseOutputItem[];
  /** Known once the answer ends. */
  usage?: TokenUsage;
  incompleteReason?: "max_output_tokens" | "content_filter";
  error?: ResponseError;
}

function summaryOf(request: ResponsesRequest): "auto" | "concise" | "detailed" | null {
  const summary = request.reasoning?.summary ?? request.reasoning?.generate_summary;
  return summary === "none" || summary === undefined ? null : summary;
}

export function buildResponse(
  request: ResponsesRequest,
  identity: ResponseIdentity,
  state: ResponseState,
): GatewayResponse {
  return {
    id: identity.id,
    object: "response",
    created_at: identity.createdAt,
    status: state.status,
    completed_at: state.status === "completed" ? Math.floor(Date.now() / 1000) : null,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: request.instructions ?? null,
    model: state.model,
    output: state.output,
    ...(state.usage ? { usage: responseUsage(state.usage) } : {}),
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    // Echoed as the client sent them (unknown kinds included), as OpenAI echoes its request.
    tools: (request.tools ?? []) as unknown as Tool[],
    tool_choice: (request.tool_choice ?? "auto") as Response["tool_choice"],
    text: {
      format: (request.text?.format ?? { type: "text" }) as NonNullable<Response["text"]>["format"],
      verbosity: (request.text?.verbosity ?? "medium") as "low" | "medium" | "high",
    },
    reasoning: {
      effort: request.reasoning?.effort ?? null,
      summary: summaryOf(request),
    },
    metadata: request.metadata ?? {},
    store: request.store ?? true,
    previous_response_id: request.previous_response_id ?? null,
    conversation: identity.conversationId === undefined ? null : { id: identity.conversationId },
    background: request.background ?? false,
    max_output_tokens: request.max_output_tokens ?? null,
    truncation: (request.truncation ?? "disabled") as "auto" | "disabled",
    prompt_cache_key: request.prompt_cache_key ?? null,
    safety_identifier: request.safety_identifier ?? null,
    ...(typeof request.user === "string" ? { user: request.user } : {}),
    temperature: null,
    top_p: null,
  } satisfies GatewayResponse;
}
