/** Builds the Hono app from injected services. It never listens; server.ts does. */
import { Hono } from "hono";
import { notFound } from "../errors.js";
import type { GatewayServices } from "./gateway-services.js";
import { handleError } from "./middleware/handle-errors.js";
import { chatCompletionRoutes } from "./routes/chat-completions.js";
import { conversationRoutes } from "./routes/conversations.js";
import { healthRoutes } from "./routes/health.js";
import { modelRoutes } from "./routes/models.js";
import { sessionRoutes } from "./routes/sessions.js";

export function createApp(services: GatewayServices): Hono {
  const app = new Hono();
  app.route("/", healthRoutes(services));
  app.route("/", modelRoutes(services));
  app.route("/", chatCompletionRoutes(services));
  app.route("/", conversationRoutes(services));
  app.route("/", sessionRoutes(services));
  app.notFound((context) => {
    throw notFound(`Unknown request URL: ${context.req.method} ${context.req.path}.`, "unknown_url");
  });
  app.onError(handleError(services.logger));
  return app;
}
