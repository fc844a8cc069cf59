/**
 * A failed turn → the OpenAI error a client can act on. The CLI reports API failures as a `result`
 * with `is_error: true` (its `subtype` may still say "success") and the upstream HTTP status in
 * `api_error_status`; process faults arrive as ClaudeProcessError.
 */
import { ClaudeProcessError } from "../claude/claude-process-error.js";
import type { ResultLine } from "../claude/protocol.js";
import { asGatewayError, GatewayError } from "../errors.js";

/** Anthropic does not pass its retry-after through the CLI; this is the wait suggested instead. */
const upstreamRetryAfterSeconds = 30;

/** The CLI's own words, when they help the client fix its request (never for 5xx: they name hosts). */
function detail(result: ResultLine): string {
  const text = (result.result ?? result.errors?.join("; ") ?? "").trim();
  return text ? ` (${text.slice(0, 300)})` : "";
}

export function mapResultError(result: ResultLine): GatewayError {
  switch (result.subtype) {
    case "error_max_turns":
      return new GatewayError("The turn reached the configured maximum number of agent turns.", {
        status: 422,
        type: "invalid_request_error",
        code: "max_turns_exceeded",
      });
    case "error_max_budget_usd":
      return new GatewayError("The turn reached the configured budget (claude.max_budget_usd).", {
        status: 429,
        type: "insufficient_quota",
        code: "budget_exceeded",
        retryable: false,
      });
    case "error_during_execution":
      return new GatewayError("Claude Code failed while running the turn.", {
        status: 500,
        type: "server_error",
        code: "claude_execution_error",
      });
  }
  const status = result.api_error_status;
  if (status === undefined || status === null) {
    if (/not logged in|\/login/i.test(result.result ?? "")) {
      return new GatewayError(
        "The gateway's Claude Code CLI is not logged in. The operator must run `claude auth login` (or `npx claude auth login` in the gateway directory) or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN for the gateway.",
        { status: 503, type: "server_error", code: "claude_not_logged_in", retryable: false },
      );
    }
    return new GatewayError("Claude Code reported an error.", {
      status: 502,
      type: "server_error",
      code: "claude_error",
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError(
      "Anthropic rejected the gateway's Claude credentials. The operator must log the CLI in again (`claude auth login`) or fix ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN.",
      { status: 503, type: "server_error", code: "upstream_authentication_failed", retryable: false },
    );
  }
  if (status === 429) {
    return new GatewayError("Anthropic's rate limit was reached; retry later.", {
      status: 429,
      type: "rate_limit_error",
      code: "upstream_rate_limited",
      retryAfterSeconds: upstreamRetryAfterSeconds,
    });
  }
  if (status === 529) {
    return new GatewayError("Anthropic is overloaded; retry later.", {
      status: 503,
      type: "server_error",
      code: "upstream_overloaded",
      retryAfterSeconds: upstreamRetryAfterSeconds,
    });
  }
  if (status === 404) {
    return new GatewayError(`The model was not found upstream${detail(result)}.`, {
      status: 404,
      type: "invalid_request_error",
      code: "model_not_found",
      param: "model",
    });
  }
  if (status === 413) {
    return new GatewayError(`The request is too large for the model${detail(result)}.`, {
      status: 413,
      type: "invalid_request_error",
      code: "request_too_large",
    });
  }
  if (status >= 400 && status < 500) {
    return new GatewayError(`Anthropic rejected the request${detail(result)}.`, {
      status: 400,
      type: "invalid_request_error",
      code: "upstream_invalid_request",
    });
  }
  return new GatewayError(`Anthropic's API failed (HTTP ${status}); retry later.`, {
    status: 502,
    type: "server_error",
    code: "upstream_error",
  });
}

/**
 * Any failure while running a turn → GatewayError (already-mapped errors pass through). A CLI
 * that cannot start never gets this far: the pool reports that as claude_unavailable.
 */
export function mapTurnFailure(error: unknown): GatewayError {
  if (error instanceof ClaudeProcessError) {
    return new GatewayError("The Claude Code process failed during the request.", {
      status: 502,
      type: "server_error",
      code: "claude_process_failed",
      cause: error,
    });
  }
  return asGatewayError(error);
}
