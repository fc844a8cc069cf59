/**
 * The one place a thrown error becomes an HTTP response: Anthropic's error JSON for Anthropic's
 * clients — on the Messages routes (whatever failed: the key, a limit, the body) and for any
 * request carrying `anthropic-version` — OpenAI's for everyone else. Work another instance holds
 * is no error: the request is sent there, and its answer is this one's.
 */
import type { Context } from "hono";
import { toAnthropicErrorResponse } from "../../anthropic/anthropic-errors.js";
import { OwnedElsewhere, ownerUnreachable } from "../../cluster/cluster-errors.js";
import { asGatewayError, toOpenAIErrorResponse } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { carryHeaders } from "../carry-headers.js";
import type { GatewayEnv } from "../gateway-env.js";
import { speaksAnthropic } from "../speaks-anthropic.js";

export type ForwardOwned = (context: Context<GatewayEnv>, owned: OwnedElsewhere) => Promise<Response>;

export function handleError(logger: Logger, forward?: ForwardOwned) {
  const render = (error: unknown, context: Context<GatewayEnv>): Response => {
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
    const toResponse = anthropic ? toAnthropicErrorResponse : toOpenAIErrorResponse;
    // CORS and other headers middleware set before the error stay on the error response.
    return carryHeaders(context, toResponse(gatewayError, requestId));
  };
  return (error: unknown, context: Context<GatewayEnv>): Response | Promise<Response> => {
    if (!(error instanceof OwnedElsewhere)) return render(error, context);
    // A request already sent on is never sent again: instances disagreeing must not loop.
    if (!forward || context.get("forwarded")) return render(ownerUnreachable(error), context);
    return forward(context, error).catch((failure: unknown) => render(failure, context));
  };
}
