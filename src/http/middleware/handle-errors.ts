/**
 * The one place a thrown error becomes an HTTP response: Anthropic's error JSON for Anthropic's
 * clients — on the Messages routes (whatever failed: the key, a limit, the body) and for any
 * request carrying `anthropic-version` — OpenAI's for everyone else.
 */
import type { Context } from "hono";
import { toAnthropicErrorResponse } from "../../anthropic/anthropic-errors.js";
import { asGatewayError, toOpenAIErrorResponse } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { carryHeaders } from "../carry-headers.js";
import type { GatewayEnv } from "../gateway-env.js";
import { speaksAnthropic } from "../speaks-anthropic.js";

export function handleError(logger: Logger) {
  return (error: unknown, context: Context<GatewayEnv>): Response => {
    const gatewayError = asGatewayError(error);
    const requestId = context.get("requestId");
    const fields = {
      requestId,
      method: context.req.method,
      path: context.req.path,
      status: gatewayError.status,
      code: gatewayError.code,
    };
    if (gatewayError.status >= 500)
      logger.error({ ...fields, err: gatewayError.cause ?? gatewayError }, gatewayError.message);
    else logger.info(fields, gatewayError.message);
    const anthropic = speaksAnthropic(context.req.path, (name) => context.req.header(name));
    const render = anthropic ? toAnthropicErrorResponse : toOpenAIErrorResponse;
    // CORS and other headers middleware set before the error stay on the error response.
    return carryHeaders(context, render(gatewayError, requestId));
  };
}
