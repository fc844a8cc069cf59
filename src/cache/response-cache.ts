/**
 * Answers kept for identical requests, under keys `${owner}:<hash>` that cover the caller's key and
 * everything that changes the answer (openai/chat-cache-key.ts, anthropic/messages-cache-key.ts).
 * Identical requests that miss at the same time run once: the others wait for that answer (and run
 * their own if it fails). Errors are never kept. In memory for one instance
 * (memory-response-cache.ts), or in Redis for all the instances sharing a store
 * (cluster/redis-response-cache.ts).
 */

/** `T`: the answer as kept (the turn engine keeps answers in no dialect). */
export interface ResponseCache<T> {
  /**
   * A kept answer, or — when an identical request is running — that one's answer once it is done.
   * undefined: the caller runs the request and must `store` or `abandon` the key. `signal`: the
   * caller's deadline, which the wait for another's answer counts against (it throws the signal's
   * reason).
   */
  lookup(key: string, signal?: AbortSignal): Promise<T | undefined>;
  /** Keeps the answer and hands it to the requests waiting for it. Never rejects. */
  store(key: string, completion: T): Promise<void>;
  /** The running request failed (or was not cacheable after all): waiters run their own. Never rejects. */
  abandon(key: string): Promise<void>;
}
