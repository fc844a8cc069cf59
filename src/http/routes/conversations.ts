/** The Conversations API: create, retrieve, update, delete, list, and a conversation's items. */
import { Hono } from "hono";
import {
  parseMetadataUpdate,
  parseNewConversation,
  parsePageQuery,
  toConversationItem,
  toConversationObject,
  toDeletedConversation,
  toList,
} from "../../openai/conversation-objects.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";

export function conversationRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const { conversations } = services;
  const routes = new Hono<GatewayEnv>();

  routes.post("/v1/conversations", async (context) => {
    const body = await readJsonBody(context, { optional: true });
    const { owner, storage } = context.get("caller");
    const record = await conversations.create(owner, storage, parseNewConversation(body));
    return context.json(toConversationObject(record));
  });
  routes.get("/v1/conversations", async (context) => {
    const page = await conversations.list(context.get("owner"), parsePageQuery(context.req.query()));
    return context.json(toList(page, toConversationObject));
  });
  routes.get("/v1/conversations/:id", async (context) => {
    return context.json(toConversationObject(await conversations.get(context.get("owner"), context.req.param("id"))));
  });
  routes.post("/v1/conversations/:id", async (context) => {
    const metadata = parseMetadataUpdate(await readJsonBody(context));
    return context.json(
      toConversationObject(await conversations.updateMetadata(context.get("owner"), context.req.param("id"), metadata)),
    );
  });
  routes.delete("/v1/conversations/:id", async (context) => {
    const id = context.req.param("id");
    await conversations.delete(context.get("owner"), id);
    return context.json(toDeletedConversation(id));
  });
  routes.get("/v1/conversations/:id/items", async (context) => {
    const page = await conversations.items(
      context.get("owner"),
      context.req.param("id"),
      parsePageQuery(context.req.query()),
    );
    return context.json(toList(page, toConversationItem));
  });
  return routes;
}
