/**
 * Requests being answered, for a graceful shutdown: once draining, new requests get
 * `503 shutting_down`; `settled()` resolves when the last answer in flight (streams included)
 * has been sent.
 */
import type { MiddlewareHandler } from "hono";
import { shuttingDown } from "../pool/pool-errors.js";
import type { GatewayEnv } from "./gateway-env.js";
import { afterResponse } from "./middleware/body-end.js";

export class InFlight {
  private count = 0;
  private draining = false;
  private waiters: Array<() => void> = [];

  /** Requests being answered now (a stream until its last byte). */
  get size(): number {
    return this.count;
  }

  middleware(): MiddlewareHandler<GatewayEnv> {
    return async (context, next) => {
      if (this.draining) {
        context.header("connection", "close");
        throw shuttingDown();
      }
      this.count++;
      await afterResponse(context, next, () => {
        this.count--;
        if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
      });
    };
  }

  /** Refuses new requests from now on, and resolves when those in flight are done (or after `ms`). */
  drain(ms: number): Promise<void> {
    this.draining = true;
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
