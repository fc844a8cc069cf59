/** Builds the Hono app from injected services. It never listens; server.ts does. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { GatewayError, notFound } from "../errors.js";
import { sendOwnedElsewhere } from "./forwarding/send-owned-elsewhere.js";
import type { GatewayEnv } from "./gateway-env.js";
import type { GatewayServices } from "./gateway-services.js";
import {
  acceptForwarded,
  authenticate,
  authenticateIfPresented,
  guardBrowsers,
  limitPerKey,
  requestId,
  resolvePublicOrigin,
} from "./middleware/access.js";
import { limitBodiesInFlight } from "./middleware/body-budget.js";
import { handleError } from "./middleware/handle-errors.js";
import { measure } from "./middleware/measure.js";
import { chatCompletionRoutes } from "./routes/chat-completions.js";
import { conversationRoutes } from "./routes/conversations.js";
import { healthRoutes } from "./routes/health.js";
import { messageRoutes } from "./routes/messages.js";
import { modelRoutes } from "./routes/models.js";
import { observabilityRoutes } from "./routes/observability.js";
import { operatorPageRoutes } from "./routes/operator-page.js";
import { responseRoutes } from "./routes/responses.js";
import { sessionRoutes } from "./routes/sessions.js";
import { usageRoutes } from "./routes/usage.js";

export function createApp(services: GatewayServices): Hono<GatewayEnv> {
  const { configuration } = services;
  const app = new Hono<GatewayEnv>();
  app.use("*", requestId());
  // Which instance answered (behind a load balancer; a request sent on is answered by its owner).
  app.use("*", async (context, next) => {
    context.header("x-gateway-instance", services.cluster.instanceId);
    await next();
  });
  app.use("*", services.inFlight.middleware());
  app.use("*", measure(services.metrics, services.logger));
  app.use("*", resolvePublicOrigin(services.publicOriginOf));
  const { credential } = services.cluster;
  app.use("*", acceptForwarded(credential, services.apiKeys));
  // Ahead of CORS: a preflight from a page that may not call gets no permission either.
  app.use("*", guardBrowsers(services.browserGuard));
  const origins = configuration.server.cors_origins;
  if (origins.length > 0) {
    app.use(
      "*",
      cors({
        origin: origins.includes("*") ? "*" : origins,
        allowHeaders: [
          "authorization",
          "x-api-key",
          "content-type",
          "x-request-id",
          "x-conversation-id",
          "anthropic-version",
          "anthropic-beta",
        ],
        exposeHeaders: [
          "x-request-id",
          "request-id",
          "x-conversation-id",
          "retry-after",
          "x-should-retry",
          "x-error-code",
          "x-token-count",
          "x-cache",
          "x-gateway-instance",
        ],
        maxAge: 600,
      }),
    );
  }
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: configuration.server.body_limit_mb * 1024 * 1024,
      onError: (context) => {
        // The client may still be sending the rest: this connection cannot serve another request.
        context.header("connection", "close");
        throw new GatewayError(`The request body is larger than ${configuration.server.body_limit_mb} MB.`, {
          status: 413,
          type: "invalid_request_error",
          code: "request_too_large",
        });
      },
    }),
  );
  // Health stays open for load balancers; everything under /v1 needs a key when keys are set.
  for (const path of ["/v1/*", "/stats", "/metrics"]) app.use(path, authenticate(services.apiKeys));
  app.use("/health/ready", authenticateIfPresented(services.apiKeys));
  app.use("/v1/*", limitPerKey(services.keyLimits));
  const megabyte = 1024 * 1024;
  app.use(
    "/v1/*",
    limitBodiesInFlight(
      configuration.server.max_body_mb_in_flight * megabyte,
      configuration.server.body_limit_mb * megabyte,
    ),
  );
  app.route("/", healthRoutes(services));
  app.route("/", observabilityRoutes(services));
  app.route("/", operatorPageRoutes());
  app.route("/", modelRoutes(services));
  app.route("/", chatCompletionRoutes(services));
  app.route("/", responseRoutes(services));
  app.route("/", messageRoutes(services));
  app.route("/", conversationRoutes(services));
  app.route("/", sessionRoutes(services));
  app.route("/", usageRoutes(services));
  app.notFound((context) => {
    throw notFound(`Unknown request URL: ${context.req.method} ${context.req.path}.`, "unknown_url");
  });
  app.onError(handleError(services.logger, sendOwnedElsewhere(app, services)));
  return app;
}
