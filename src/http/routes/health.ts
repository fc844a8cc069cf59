/**
 * GET /health (and GET or HEAD /): liveness (the process answers). GET /health/ready: readiness — the CLI was found
 * and runs, the conversation store answers; 503 until both answer. Open without a key (load
 * balancers), so it says only that; the detail (CLI version, the pool's processes) is for callers
 * with the `admin` grant, and never shows paths, keys or conversation ids.
 */
import { Hono } from "hono";
import type { PoolSnapshot } from "../../pool/process-pool.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

export function healthRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.get("/health", (context) => context.json({ status: "ok" }));
  // Claude Code checks its base URL with `HEAD /` before its first request.
  routes.get("/", (context) => context.json({ status: "ok" }));
  routes.get("/health/ready", async (context) => {
    const version = await services.claude.version;
    const storeUp = await storeAnswers(services);
    const ready = version !== undefined && storeUp;
    const status = {
      status: ready ? "ready" : "unavailable",
      claude: { found: version !== undefined },
      store: storeUp ? "ok" : "unavailable",
    };
    const admin = context.get("caller")?.grants.has("admin") === true;
    if (!admin) return context.json(status, ready ? 200 : 503);
    return context.json(
      {
        ...status,
        claude: { found: version !== undefined, version: version ?? null },
        pool: adminSnapshot(services.pool.snapshot()),
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
function adminSnapshot(snapshot: PoolSnapshot) {
  return { ...snapshot, members: snapshot.members.map(({ conversation: _, ...member }) => member) };
}
