/**
 * The gateway's one error family (errors.ts) in Anthropic's shape, for the Messages routes:
 * `{"type":"error","error":{"type","message"},"request_id"}` with the gateway's status and the type
 * Anthropic gives that status — except overload, which Anthropic's clients know as 529
 * `overloaded_error` (Claude Code, for one, reports it as such and may fall back to another model).
 * The gateway's own code goes along as `x-error-code` (Anthropic's body has no field for it) so a
 * client can still tell e.g. `conversation_busy` apart.
 */
import { errorHeaders, type GatewayError } from "../errors.js";

const typeByStatus: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** The upstream's overload and the gateway's own (503 in the OpenAI dialects). */
const overloaded = new Set(["upstream_overloaded", "too_many_connections", "too_many_bytes_in_flight"]);

export function anthropicStatus(error: GatewayError): number {
  return error.code !== null && overloaded.has(error.code) ? 529 : error.status;
}

export function anthropicErrorType(error: GatewayError): string {
  const status = anthropicStatus(error);
  return typeByStatus[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string | null;
}

export function toAnthropicErrorBody(error: GatewayError, requestId?: string): AnthropicErrorBody {
  return {
    type: "error",
    error: { type: anthropicErrorType(error), message: error.message },
    request_id: requestId ?? null,
  };
}

export function toAnthropicErrorResponse(error: GatewayError, requestId?: string): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...errorHeaders(error) };
  if (requestId) {
    headers["request-id"] = requestId;
    headers["x-request-id"] = requestId;
  }
  return new Response(JSON.stringify(toAnthropicErrorBody(error, requestId)), {
    status: anthropicStatus(error),
    headers,
  });
}
