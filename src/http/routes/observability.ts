/** GET /stats (JSON for people) and GET /metrics (Prometheus text). */
import { Hono } from "hono";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

export function observabilityRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const { metrics } = services;
  const routes = new Hono<GatewayEnv>();
  routes.get("/stats", (context) => {
    const stats = metrics.stats();
    // Each key sees its own usage, not other keys'; processes by launch profile (whose keys name
    // owners) are the admin's.
    const owner = context.get("owner") || "anonymous";
    const { keys, pool, ...rest } = stats;
    const { by_profile: _, ...totals } = pool;
    const admin = context.get("caller").grants.has("admin");
    return context.json({ ...rest, pool: admin ? pool : totals, your_usage: keys[owner] ?? null });
  });
  routes.get("/metrics", async (context) => {
    context.header("content-type", metrics.registry.contentType);
    return context.body(await metrics.registry.metrics());
  });
  return routes;
}
