/**
 * A store that fails (Redis unreachable, SQLite locked or its disk full) answers 503 with a code
 * the operator can search for; the cause goes to the log, never to the client.
 */
import { GatewayError } from "../errors.js";
import type { ConversationStore } from "./conversation-store.js";

export function storeUnavailable(cause: unknown): GatewayError {
  return new GatewayError("The conversation store is unavailable; retry later.", {
    status: 503,
    type: "server_error",
    code: "store_unavailable",
    retryAfterSeconds: 5,
    cause,
  });
}

/** The same store, its failures turned into `store_unavailable`. */
export function reportingUnavailability(store: ConversationStore): ConversationStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || property === "close") return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          throw storeUnavailable(error);
        }
      };
    },
  });
}
