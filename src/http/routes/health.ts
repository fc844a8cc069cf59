/**
 * GET /health: liveness (the process answers). GET /health/ready: readiness detail — the CLI was
 * found and runs (its version), the conversation store answers, and the pool's state; 503 until
 * both answer. Open without a key (load balancers), so it shows no paths, keys or conversation ids.
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
    const storeUp = await storeAnswers(services);
    const ready = version !== undefined && storeUp;
    return context.json(
      {
        status: ready ? "ready" : "unavailable",
        claude: { found: version !== undefined, version: version ?? null },
        store: storeUp ? "ok" : "unavailable",
        pool: publicSnapshot(services.pool.snapshot()),
      },
      ready ? 200 : 503,
    );
  });
  return routes;
}

/** A lookup of a conversation that cannot exist: any answer (even "none") means the store is up. */
async function storeAnswers(services: GatewayServices): Promise<boolean> {
  const probe = services.conversationTurns.store.get(`conv_${"0".repeat(48)}`);
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 2_000).unref());
  try {
    return (await Promise.race([probe, timeout])) !== "timeout";
  } catch {
    return false;
  }
}

/** The pool without conversation ids: an id is enough to continue someone's conversation. */
function publicSnapshot(snapshot: PoolSnapshot) {
  return { ...snapshot, members: snapshot.members.map(({ conversation: _, ...member }) => member) };
}
