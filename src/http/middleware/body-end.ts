/**
 * Calls `done` when the response has been sent — at once for a plain body, at the end of the
 * stream for a streamed one (an SSE answer is in flight until its last chunk).
 */
import type { Context } from "hono";

export function whenBodyEnds(context: Context, done: () => void): void {
  const body = context.res.body;
  if (!body) {
    done();
    return;
  }
  const { readable, writable } = new TransformStream();
  body
    .pipeTo(writable)
    .finally(done)
    .catch(() => {});
  context.res = new Response(readable, context.res);
}
