/**
 * Calls `done` when the response has been sent — at once for a plain body, at the end of the
 * stream for a streamed one (an SSE answer is in flight until its last chunk). Several callers
 * share one wrapper around the body.
 */
import type { Context } from "hono";

const watched = new WeakMap<Response, Array<() => void>>();

export function whenBodyEnds(context: Context, done: () => void): void {
  const callbacks = watched.get(context.res);
  if (callbacks) {
    callbacks.push(done);
    return;
  }
  const body = context.res.body;
  if (!body) {
    done();
    return;
  }
  const waiting = [done];
  const { readable, writable } = new TransformStream();
  body
    .pipeTo(writable)
    .finally(() => {
      for (const callback of waiting.splice(0)) callback();
    })
    .catch(() => {});
  context.res = new Response(readable, context.res);
  watched.set(context.res, waiting);
}

/**
 * Runs the rest of the chain and calls `done` once the response has been sent (see whenBodyEnds),
 * or at once with `failed` if the chain threw — so a middleware's bookkeeping cannot leak.
 */
export async function afterResponse(
  context: Context,
  next: () => Promise<void>,
  done: (failed: boolean) => void,
): Promise<void> {
  try {
    await next();
  } catch (error) {
    done(true);
    throw error;
  }
  whenBodyEnds(context, () => done(false));
}
