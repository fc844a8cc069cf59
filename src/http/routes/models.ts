/** GET /v1/models and GET /v1/models/{id}, in OpenAI's shapes. */
import { Hono } from "hono";
import { notFound } from "../../errors.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";

export function modelRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.get("/v1/models", (context) => context.json({ object: "list", data: services.models.list() }));
  routes.get("/v1/models/:id", (context) => {
    const id = context.req.param("id");
    const model = services.models.retrieve(id);
    if (!model) throw notFound(`The model '${id}' does not exist.`, "model_not_found", "model");
    return context.json(model);
  });
  return routes;
}
