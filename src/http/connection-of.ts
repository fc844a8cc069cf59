/** The TCP connection a request came on, when @hono/node-server serves it (none under `app.request()`). */
import type { Socket } from "node:net";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

export function connectionOf(context: Context): Socket | undefined {
  const bindings = context.env as Partial<HttpBindings> | undefined;
  return bindings?.incoming?.socket;
}
