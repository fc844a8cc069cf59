/**
 * Ends a streamed answer whose client has left server.stream_buffer_kb of it unread: the connection
 * is destroyed, which frees what the stream and Node's socket still hold (the client, not reading,
 * could not be told in the stream anyway), and one line says why.
 */
import type { Context } from "hono";
import { GatewayError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { connectionOf } from "./connection-of.js";
import type { GatewayEnv } from "./gateway-env.js";

/** Returns the reason, for a turn that must be interrupted with it. */
export function cutUnreadStream(context: Context<GatewayEnv>, logger: Logger, bufferBytes: number): GatewayError {
  const kilobytes = Math.round(bufferBytes / 1024);
  logger.warn(
    { requestId: context.get("requestId"), bufferKb: kilobytes },
    `stream cut: the client left ${kilobytes} KB of the answer unread (server.stream_buffer_kb)`,
  );
  connectionOf(context)?.destroy();
  return new GatewayError(`The client left ${kilobytes} KB of the stream unread (server.stream_buffer_kb).`, {
    status: 408,
    type: "timeout_error",
    code: "stream_not_read",
  });
}
