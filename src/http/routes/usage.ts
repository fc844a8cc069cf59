/**
 * GET /v1/usage: the subscription's usage windows as the CLI last reported them. Any key may read
 * it: every key draws on the operator's one subscription. Unknown is null, never 0.
 */
import { Hono } from "hono";
import type { UsageWindow } from "../../usage/usage-windows.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

function windowJson(window: UsageWindow) {
  return {
    name: window.name,
    utilization: window.utilization,
    resets_at: isoOrNull(window.resetsAt),
    status: window.status,
    observed_at: isoOrNull(window.observedAt),
    age_seconds: window.ageSeconds,
  };
}

/** A date that cannot be written (the reader lets none through, but one bad window must not fail them all) is unknown. */
function isoOrNull(date: Date | null | undefined): string | null {
  return date && Number.isFinite(date.getTime()) ? date.toISOString() : null;
}

export function usageRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.get("/v1/usage", (context) =>
    context.json({
      object: "usage",
      windows: services.usageWindows.list().map(windowJson),
      observed_by: "claude_cli",
    }),
  );
  return routes;
}
