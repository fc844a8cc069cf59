/**
 * The response cache in this instance's memory (a gateway alone): at most `maxEntries` answers in
 * all, least recently used dropped first, each kept for the TTL. Single flight within the instance.
 */
import type { ResponseCache } from "./response-cache.js";

interface Entry<T> {
  completion: T;
  expiresAt: number;
}

export class MemoryResponseCache<T> implements ResponseCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<T | undefined>>();
  private readonly resolvers = new Map<string, (completion: T | undefined) => void>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

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

  async store(key: string, completion: T): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { completion, expiresAt: Date.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.settle(key, completion);
  }

  async abandon(key: string): Promise<void> {
    this.settle(key, undefined);
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
