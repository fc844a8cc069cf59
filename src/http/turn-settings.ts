/** What every dialect's turn route reads the same way from the configuration and the request. */
import type { Context } from "hono";
import { createRequestDeadline, type RequestDeadline } from "../turns/request-deadline.js";
import type { GatewayEnv } from "./gateway-env.js";
import type { GatewayServices } from "./gateway-services.js";
import type { StreamSettings } from "./respond-with-share.js";

export function streamSettings(services: GatewayServices): StreamSettings {
  const { server } = services.configuration;
  return {
    keepAliveMs: server.sse_keepalive_seconds * 1000,
    bufferBytes: server.stream_buffer_kb * 1024,
    logger: services.logger,
  };
}

/** `Cache-Control: no-cache` skips the lookup (the fresh answer is still kept). */
export function bypassesCache(context: Context<GatewayEnv>): boolean {
  return /no-cache|no-store/i.test(context.req.header("cache-control") ?? "");
}

/** The conversation a request names: its body's `conversation_id`, or the `x-conversation-id` header. */
export function namedConversation(context: Context<GatewayEnv>, field: string | undefined): string | undefined {
  return field ?? context.req.header("x-conversation-id") ?? undefined;
}

/** The request's deadline: the client going away, or claude.timeout_seconds passing. */
export function turnDeadline(context: Context<GatewayEnv>, services: GatewayServices): RequestDeadline {
  return createRequestDeadline(context.req.raw.signal, services.configuration.claude.timeout_seconds * 1000);
}
