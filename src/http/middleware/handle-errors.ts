/** The one place a thrown error becomes an HTTP response (OpenAI error JSON). */
import type { Context } from "hono";
import { asGatewayError, toOpenAIErrorResponse } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";

export function handleError(logger: Logger) {
  return (error: unknown, context: Context): Response => {
    const gatewayError = asGatewayError(error);
    const fields = {
      method: context.req.method,
      path: context.req.path,
      status: gatewayError.status,
      code: gatewayError.code,
    };
    if (gatewayError.status >= 500)
      logger.error({ ...fields, err: gatewayError.cause ?? gatewayError }, gatewayError.message);
    else logger.info(fields, gatewayError.message);
    return toOpenAIErrorResponse(gatewayError);
  };
}
