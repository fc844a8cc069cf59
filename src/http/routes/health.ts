/**
 * GET /health: liveness (the process answers). GET /health/ready: readiness detail — the CLI was
 * found and runs (its version), and the pool's state; 503 until the CLI answers.
 */
import { Hono } from "hono";
import type { PoolSnapshot } from "../../pool/process-pool.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

export function healthRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.get("/health", (context) => context.json({ status: "ok" }));
  routes.get("/health/ready", async (context) => {
    const version = await services.claude.version;
    const ready = version !== undefined;
    return context.json(
      {
        status: ready ? "ready" : "unavailable",
        claude: { found: ready, command: services.claude.command, version: version ?? null },
        pool: publicSnapshot(services.pool.snapshot()),
      },
      ready ? 200 : 503,
    );
  });
  return routes;
}

/** The pool without conversation ids: an id is enough to continue someone's conversation. */
function publicSnapshot(snapshot: PoolSnapshot) {
  return { ...snapshot, members: snapshot.members.map(({ conversation: _, ...member }) => member) };
}
