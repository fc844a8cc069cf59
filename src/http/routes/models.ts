/**
 * GET /v1/models and GET /v1/models/{id}, in OpenAI's shapes — or Anthropic's for a request that
 * carries `anthropic-version` (the Anthropic SDKs always send it).
 */
import { Hono } from "hono";
import { anthropicModel, anthropicModelPage } from "../../anthropic/anthropic-model.js";
import { notFound } from "../../errors.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { speaksAnthropic } from "../speaks-anthropic.js";

export function modelRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.get("/v1/models", (context) => {
    const models = services.models.list();
    return context.json(
      speaksAnthropic(context.req.path, (name) => context.req.header(name))
        ? anthropicModelPage(models)
        : { object: "list", data: models },
    );
  });
  routes.get("/v1/models/:id", (context) => {
    const id = context.req.param("id");
    const model = services.models.retrieve(id);
    if (!model) throw notFound(`The model '${id}' does not exist.`, "model_not_found", "model");
    return context.json(
      speaksAnthropic(context.req.path, (name) => context.req.header(name)) ? anthropicModel(model) : model,
    );
  });
  return routes;
}
