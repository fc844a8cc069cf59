/** Every request's route, status and duration (to the end of its body) into the metrics. */
import type { MiddlewareHandler } from "hono";
import type { GatewayMetrics } from "../../observability/gateway-metrics.js";
import type { Logger } from "../../observability/logger.js";
import type { GatewayEnv } from "../gateway-env.js";
import { afterResponse } from "./body-end.js";

/** Also one access log line per request, with its request id (at debug level: `LOG_LEVEL=debug`). */
export function measure(metrics: GatewayMetrics, logger: Logger): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    const started = performance.now();
    await afterResponse(context, next, (failed) => {
      const status = failed ? 500 : context.res.status;
      // A route pattern, never the raw path: labels stay bounded.
      const route = context.req.routePath === "/*" ? "unmatched" : context.req.routePath;
      const seconds = (performance.now() - started) / 1000;
      metrics.request(route, context.req.method, status, seconds);
      logger.debug(
        {
          requestId: context.get("requestId"),
          method: context.req.method,
          route,
          status,
          ms: Math.round(seconds * 1000),
        },
        "request",
      );
    });
  };
}
