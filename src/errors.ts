/**
 * The gateway's one error family. Everything that can go wrong while serving a request becomes a
 * GatewayError somewhere below the routes, and `toOpenAIErrorResponse` turns it into OpenAI's error
 * JSON exactly once (in the app's error handler, or as an SSE `data: {"error":…}` event).
 */

/** The `type` values OpenAI's clients know, plus the few this gateway needs. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "server_error"
  | "timeout_error";

export interface GatewayErrorOptions {
  status: number;
  type: OpenAIErrorType;
  code?: string | null;
  param?: string | null;
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /**
   * false tells the `openai` clients not to retry (`x-should-retry: false`): retrying a request
   * that cannot succeed (not logged in, budget exhausted) only burns time and tokens.
   */
  retryable?: boolean;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly retryable: boolean | undefined;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "GatewayError";
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.retryable = options.retryable;
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError(message, { status: 400, type: "invalid_request_error", param, code });
}

export function notFound(message: string, code: string | null = null, param: string | null = null): GatewayError {
  return new GatewayError(message, { status: 404, type: "invalid_request_error", param, code });
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; request_id?: string };
}

/** `requestId`: the request's x-request-id, also in the body so a pasted error can be traced. */
export function toOpenAIErrorBody(error: GatewayError, requestId?: string): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
      ...(requestId ? { request_id: requestId } : {}),
    },
  };
}

/**
 * Retry advice and the gateway's code, the same in every dialect (`x-error-code`: Anthropic's body
 * has no field for the code, and an instance that sent a request on reads it without the body).
 */
export function errorHeaders(error: GatewayError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.code) headers["x-error-code"] = error.code;
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfterSeconds));
  if (error.retryable === false) headers["x-should-retry"] = "false";
  return headers;
}

/**
 * Anything that is not a GatewayError is a bug or an unexpected fault: the client gets a generic
 * 500 without internal details (no stack, no paths); the original is kept as `cause` for the log.
 */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("The gateway failed to handle the request.", {
    status: 500,
    type: "server_error",
    code: "internal_error",
    cause: error,
  });
}

export function toOpenAIErrorResponse(error: GatewayError, requestId?: string): Response {
  return new Response(JSON.stringify(toOpenAIErrorBody(error, requestId)), {
    status: error.status,
    headers: {
      "content-type": "application/json",
      ...errorHeaders(error),
      ...(requestId ? { "x-request-id": requestId } : {}),
    },
  });
}
