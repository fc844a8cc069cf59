/**
 * Whether a request comes from an Anthropic client, which expects Anthropic's shapes: anything on
 * the Messages routes, and any request carrying `anthropic-version` (Anthropic's SDKs and Claude
 * Code always send it; OpenAI's clients never do).
 */
import type { Context } from "hono";
import type { GatewayEnv } from "./gateway-env.js";

export function speaksAnthropic(context: Context<GatewayEnv>): boolean {
  const path = context.req.path;
  const messages = path === "/v1/messages" || path.startsWith("/v1/messages/");
  return messages || context.req.header("anthropic-version") !== undefined;
}
