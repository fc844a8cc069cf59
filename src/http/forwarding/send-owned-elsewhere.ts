/**
 * What the error handler does with OwnedElsewhere: send the request to the instance holding the
 * work, and pass its answer on. When that instance turns out to be gone (it refused the
 * connection: forgotten at once; or it is shutting down), the request is this instance's after
 * all: it runs here once more, marked so it is never sent on again — and the engine now finds the
 * work gone: a Messages client's results start a new turn from the history, a new message takes
 * the conversation over, and tool results a Chat or Responses client sent get 410.
 */
import type { Context, Hono } from "hono";
import type { OwnedElsewhere } from "../../cluster/cluster-errors.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { forwardRequest, OwnerGone } from "./forward-request.js";

const runningHere = new WeakSet<Request>();

/** Whether this request is one that another instance was found to have lost (run here, not sent on). */
export function isRunHere(request: Request): boolean {
  return runningHere.has(request);
}

export function sendOwnedElsewhere(
  app: Hono<GatewayEnv>,
  services: Pick<GatewayServices, "cluster" | "metrics" | "configuration">,
) {
  const answerWithinMs = services.configuration.claude.timeout_seconds * 1000 + 30_000;
  return async (context: Context<GatewayEnv>, owned: OwnedElsewhere): Promise<Response> => {
    const { credential } = services.cluster;
    // Alone, nothing is anywhere else; run here already, the work is gone.
    if (!credential || isRunHere(context.req.raw)) throw owned.gone;
    try {
      return await forwardRequest(context, {
        instance: owned.instance,
        credential,
        answerWithinMs,
        outcome: (outcome) => services.metrics.forwarded("request", outcome),
      });
    } catch (error) {
      if (!(error instanceof OwnerGone)) throw error;
      if (error.refused) await services.cluster.forget(owned.instance);
      const method = context.req.method;
      const again = new Request(context.req.url, {
        method,
        headers: context.req.raw.headers,
        body: method === "GET" || method === "HEAD" ? undefined : await context.req.arrayBuffer(),
        signal: context.req.raw.signal,
      });
      runningHere.add(again);
      return app.fetch(again, context.env);
    }
  };
}
