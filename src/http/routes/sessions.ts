/**
 * Live sessions over REST: create (201, with the WebSocket URL), list (every instance's), describe,
 * end (a session another instance runs is answered there).
 */
import { Hono } from "hono";
import { z } from "zod";
import { parseWithParams } from "../../openai/parse-with-params.js";
import { listFromPeers } from "../forwarding/list-from-peers.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";

const newSessionSchema = z.looseObject({
  model: z.string().min(1).optional(),
  cwd: z.string().min(1).optional(),
  permission_mode: z.string().min(1).optional(),
  allowed_tools: z.array(z.string().min(1)).optional(),
  system_prompt: z.string().min(1).optional(),
});

export function sessionRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const { sessions } = services;
  const routes = new Hono<GatewayEnv>();
  routes.post("/v1/sessions", async (context) => {
    const request = parseWithParams(newSessionSchema, await readJsonBody(context, { optional: true }));
    const session = await sessions.create(context.get("caller"), request, context.req.raw.signal);
    // Behind a TLS proxy the client's own scheme and host (wss://public-name/…), not the proxy's request's.
    const { protocol, host } = context.get("publicOrigin");
    const scheme = protocol === "https:" ? "wss:" : "ws:";
    const authority = host ?? new URL(context.req.url).host;
    return context.json({ ...session.describe(), ws_url: `${scheme}//${authority}/ws/session/${session.id}` }, 201);
  });
  routes.get("/v1/sessions", async (context) => {
    const here = sessions.list(context.get("owner")).map((session) => session.describe());
    // Every instance's, unless another instance asks for this one's.
    const elsewhere = context.get("forwarded") ? [] : await listFromPeers(context, services.cluster, services.logger);
    return context.json({ object: "list", data: [...here, ...elsewhere] });
  });
  routes.get("/v1/sessions/:id", async (context) =>
    context.json((await sessions.locate(context.get("owner"), context.req.param("id"))).describe()),
  );
  routes.delete("/v1/sessions/:id", async (context) => {
    const session = await sessions.locate(context.get("owner"), context.req.param("id"));
    session.end("deleted");
    return context.json({ id: session.id, object: "session.deleted", deleted: true });
  });
  return routes;
}
