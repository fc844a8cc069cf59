/**
 * Answers kept for identical requests: LRU with a TTL, keyed by everything that changes the answer
 * and by the caller's key. Identical requests that miss at the same time run once: the others wait
 * for that answer (and run themselves if it fails). Errors are never kept.
 */
import { createHash } from "node:crypto";

interface Entry<T> {
  completion: T;
  expiresAt: number;
}

/** `T`: the answer as kept (the turn engine keeps answers in no dialect). */
export class ResponseCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<T | undefined>>();
  private readonly resolvers = new Map<string, (completion: T | undefined) => void>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  static key(parts: unknown): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  }

  /**
   * A kept answer, or — when an identical request is running — that one's answer once it is
   * done. undefined: the caller runs the request and must `store` or `abandon` the key. `signal`:
   * the caller's deadline, which the wait for another's answer counts against (it throws the
   * signal's reason).
   */
  async lookup(key: string, signal?: AbortSignal): Promise<T | undefined> {
    const hit = this.get(key);
    if (hit) return hit;
    const running = this.pending.get(key);
    if (running) {
      const shared = await untilAborted(running, signal);
      if (shared) return shared;
    }
    if (!this.pending.has(key)) {
      this.pending.set(key, new Promise((resolve) => this.resolvers.set(key, resolve)));
    }
    return undefined;
  }

  store(key: string, completion: T): void {
    this.entries.delete(key);
    this.entries.set(key, { completion, expiresAt: Date.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.settle(key, completion);
  }

  /** The running request failed (or was not cacheable after all): waiters run their own. */
  abandon(key: string): void {
    this.settle(key, undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  private get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.completion;
  }

  private settle(key: string, completion: T | undefined): void {
    const resolve = this.resolvers.get(key);
    this.resolvers.delete(key);
    this.pending.delete(key);
    resolve?.(completion);
  }
}

/** `promise`, or the signal's reason thrown as soon as it aborts. */
function untilAborted<V>(promise: Promise<V>, signal: AbortSignal | undefined): Promise<V> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
