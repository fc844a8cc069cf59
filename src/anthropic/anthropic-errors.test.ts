import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { anthropicErrorType, toAnthropicErrorResponse } from "./anthropic-errors.js";

const error = (status: number, code = "some_code") =>
  new GatewayError("it failed", { status, type: "invalid_request_error", code, retryAfterSeconds: 3 });

describe("Anthropic's error shape", () => {
  it("gives each status Anthropic's type for it", () => {
    const types = [400, 401, 402, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504, 529].map((status) => [
      status,
      anthropicErrorType(error(status)),
    ]);
    expect(Object.fromEntries(types)).toEqual({
      400: "invalid_request_error",
      401: "authentication_error",
      402: "billing_error",
      403: "permission_error",
      404: "not_found_error",
      409: "invalid_request_error",
      413: "request_too_large",
      422: "invalid_request_error",
      429: "rate_limit_error",
      500: "api_error",
      502: "api_error",
      503: "api_error",
      504: "timeout_error",
      529: "overloaded_error",
    });
  });

  it("tells overload as Anthropic's 529 overloaded_error, the upstream's and the gateway's own", () => {
    for (const code of ["upstream_overloaded", "too_many_connections", "too_many_bytes_in_flight"]) {
      const response = toAnthropicErrorResponse(error(503, code));
      expect(response.status, code).toBe(529);
      expect(anthropicErrorType(error(503, code))).toBe("overloaded_error");
    }
    expect(toAnthropicErrorResponse(error(503, "claude_not_logged_in")).status).toBe(503);
  });

  it("keeps the status, the request id, retry advice and the gateway's code in headers", async () => {
    const response = toAnthropicErrorResponse(error(429, "rate_limited"), "req_1");
    expect(response.status).toBe(429);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "request-id": "req_1",
      "retry-after": "3",
      "x-error-code": "rate_limited",
    });
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "it failed" },
      request_id: "req_1",
    });
  });
});
