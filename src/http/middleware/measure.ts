/** Every request's route, status and duration (to the end of its body) into the metrics. */
import type { MiddlewareHandler } from "hono";
import type { GatewayMetrics } from "../../observability/gateway-metrics.js";
import type { GatewayEnv } from "../gateway-env.js";
import { whenBodyEnds } from "./body-end.js";

export function measure(metrics: GatewayMetrics): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = context.res.status;
    } finally {
      // A route pattern, never the raw path: labels stay bounded.
      const route = context.req.routePath === "/*" ? "unmatched" : context.req.routePath;
      const record = () => metrics.request(route, context.req.method, status, (performance.now() - started) / 1000);
      if (status === 500 && !context.res.body) record();
      else whenBodyEnds(context, record);
    }
  };
}
