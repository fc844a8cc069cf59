/** GET /stats (JSON for people) and GET /metrics (Prometheus text). */
import { Hono } from "hono";
import type { ApiKeys } from "../../auth/api-keys.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

export function observabilityRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const { metrics } = services;
  const routes = new Hono<GatewayEnv>();
  routes.get("/stats", (context) => {
    const stats = metrics.stats();
    // Each key sees its own usage, not other keys'; processes by launch profile (whose keys name
    // owners) and usage per key are the admin's.
    const owner = context.get("owner") || "anonymous";
    const { keys, pool, ...rest } = stats;
    const { by_profile: _, ...totals } = pool;
    const caller = context.get("caller");
    const admin = caller.grants.has("admin");
    return context.json({
      ...rest,
      pool: admin ? pool : totals,
      your_usage: keys[owner] ?? null,
      ...(admin ? { usage_by_key: usageByKeyName(keys, services.apiKeys) } : {}),
      // Who the page is talking to: the key's configured name, never the key.
      caller: { name: caller.name, admin },
    });
  });
  routes.get("/metrics", async (context) => {
    context.header("content-type", metrics.registry.contentType);
    return context.body(await metrics.registry.metrics());
  });
  return routes;
}

/** Usage per key under the key's configured name (owner ids say nothing to a person), most costly first. */
function usageByKeyName<Usage extends { costUsd: number }>(byOwner: Record<string, Usage>, apiKeys: ApiKeys) {
  return Object.entries(byOwner)
    .map(([owner, usage]) => ({
      name: apiKeys.callerOfOwner(owner === "anonymous" ? "" : owner)?.name ?? "anonymous",
      ...usage,
    }))
    .sort((a, b) => b.costUsd - a.costUsd);
}
