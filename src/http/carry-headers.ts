/**
 * A Response built apart from Hono's context (an error's, a stream's) keeps the headers middleware
 * and the route already set on the context (CORS, request ids, x-cache); its own win.
 */
import type { Context } from "hono";

export function carryHeaders(context: Context, response: Response): Response {
  context.res.headers.forEach((value, name) => {
    if (!response.headers.has(name)) response.headers.set(name, value);
  });
  return response;
}
