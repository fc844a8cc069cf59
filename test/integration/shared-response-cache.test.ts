import { describe, expect, it } from "vitest";
import { RedisResponseCache, type RedisResponseCacheOptions } from "../../src/cluster/redis-response-cache.js";
import type { KeptAnswer } from "../../src/turns/answer-so-far.js";
import { eventually } from "../support/eventually.js";
import { useRedisInstances } from "../support/redis-instances.js";
import { startRedisServer } from "../support/start-redis-server.js";

const redis = useRedisInstances();
let prefix = "";

function instance(options: Partial<RedisResponseCacheOptions> = {}, url = redis.url()) {
  const client = redis.client(url);
  const cache = new RedisResponseCache<KeptAnswer>(client, prefix, { maxEntries: 10, ttlMs: 60_000, ...options });
  redis.track(cache);
  return cache;
}

function answer(content: string): KeptAnswer {
  return {
    model: "claude-sonnet-4-5",
    content,
    refusal: null,
    reasoning: "",
    reasoningSignature: "",
    finishReason: "stop",
    usage: { input: 12, output: 3, cachedInput: 0, cacheWrite: 0, reasoning: 0 },
    created: 1_750_000_000,
  };
}

/** `promise`, and whether it has settled yet. */
function watched<V>(promise: Promise<V>) {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the response cache in Redis", () => {
  it("answers on one instance what the other kept, exactly as kept", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    const kept = {
      ...answer('Ünïcödé 🎻, a lone surrogate \udc00, "quotes" and\nlines'),
      reasoning: "thought",
      reasoningSignature: "sig==",
      finishReason: "length" as const,
      usage: { input: 2 ** 40, output: 7, cachedInput: 1, cacheWrite: 2, reasoning: 3 },
    };
    expect(await a.lookup("key_a:1")).toBeUndefined();
    await a.store("key_a:1", kept);
    expect(await b.lookup("key_a:1")).toStrictEqual(kept);
    expect(await a.lookup("key_a:1")).toStrictEqual(kept);
  });

  it("runs identical misses once: the second instance waits for the first's answer", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    expect(await a.lookup("key_a:1")).toBeUndefined();
    const waiting = watched(b.lookup("key_a:1"));
    await pause(300);
    expect(waiting.settled).toBe(false);
    await a.store("key_a:1", answer("once"));
    expect(await waiting.promise).toStrictEqual(answer("once"));
  });

  it("lets every waiter run its own when the first abandons, and the next identical miss waits for one of them", async () => {
    prefix = redis.nextPrefix();
    const [a, b, c] = [instance(), instance(), instance()];
    expect(await a.lookup("key_a:1")).toBeUndefined();
    const second = watched(b.lookup("key_a:1"));
    const third = watched(c.lookup("key_a:1"));
    await pause(200);
    expect([second.settled, third.settled]).toEqual([false, false]);
    await a.abandon("key_a:1");
    expect(await second.promise).toBeUndefined();
    expect(await third.promise).toBeUndefined();
    // One of them now holds the key: a later identical miss waits for it, and gets its answer.
    const later = watched(a.lookup("key_a:1"));
    await pause(200);
    expect(later.settled).toBe(false);
    await Promise.all([b.store("key_a:1", answer("second")), c.store("key_a:1", answer("second"))]);
    expect(await later.promise).toStrictEqual(answer("second"));
  });

  it("waits while the first instance renews its run, and runs its own once that instance stops (its marker lapses)", async () => {
    prefix = redis.nextPrefix();
    const quick = { pendingTtlMs: 300 };
    const [a, b] = [instance(quick), instance(quick)];
    expect(await a.lookup("key_a:1")).toBeUndefined();
    const waiting = watched(b.lookup("key_a:1"));
    await pause(1_000);
    expect(waiting.settled).toBe(false);
    a.close(); // as a SIGKILLed instance: no more renewals, no abandon
    const stoppedAt = Date.now();
    expect(await waiting.promise).toBeUndefined();
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
  });

  it("counts the wait for another instance's answer against the waiter's own deadline", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    expect(await a.lookup("key_a:1")).toBeUndefined();
    const started = Date.now();
    await expect(b.lookup("key_a:1", AbortSignal.timeout(200))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(1_000);
    // The running request still owns the key: its answer is kept for the next.
    await a.store("key_a:1", answer("late"));
    expect(await b.lookup("key_a:1")).toStrictEqual(answer("late"));
  });

  it("keeps an answer for the TTL only", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance({ ttlMs: 300 }), instance({ ttlMs: 300 })];
    await a.lookup("key_a:1");
    await a.store("key_a:1", answer("brief"));
    expect(await b.lookup("key_a:1")).toStrictEqual(answer("brief"));
    await eventually(async () => expect(await b.lookup("key_a:1")).toBeUndefined(), 5_000);
  });

  it("keeps at most max_entries per owner, evicting the owner's least recently used; never crosses owners", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance({ maxEntries: 2 }), instance({ maxEntries: 2 })];
    for (const key of ["key_a:1", "key_a:2", "key_b:1", "key_b:2"]) {
      await a.lookup(key);
      await a.store(key, answer(key));
    }
    expect(await b.lookup("key_a:1")).toStrictEqual(answer("key_a:1")); // now more recently used than key_a:2
    await b.lookup("key_a:3");
    await b.store("key_a:3", answer("key_a:3"));
    expect(await a.lookup("key_a:2")).toBeUndefined(); // evicted (and now a miss run by a)
    await a.abandon("key_a:2");
    expect(await a.lookup("key_a:1")).toStrictEqual(answer("key_a:1"));
    expect(await a.lookup("key_a:3")).toStrictEqual(answer("key_a:3"));
    // The other owner's entries were not counted against key_a's cap, nor evicted by it.
    expect(await b.lookup("key_b:1")).toStrictEqual(answer("key_b:1"));
    expect(await b.lookup("key_b:2")).toStrictEqual(answer("key_b:2"));
    // The same hash under another owner is another entry.
    expect(await b.lookup("key_b:3")).toBeUndefined();
    expect(await a.lookup("key_a:3")).toStrictEqual(answer("key_a:3"));
  });

  it("does not keep an answer larger than max_entry_bytes: the waiters run their own", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance({ maxEntryBytes: 1_000 }), instance({ maxEntryBytes: 1_000 })];
    expect(await a.lookup("key_a:1")).toBeUndefined();
    const waiting = b.lookup("key_a:1");
    await a.store("key_a:1", answer("x".repeat(2_000)));
    expect(await waiting).toBeUndefined();
    await b.store("key_a:1", answer("small"));
    expect(await a.lookup("key_a:1")).toStrictEqual(answer("small"));
  });

  it("is a miss, promptly and with the failure logged, when Redis is down or hangs", async () => {
    prefix = redis.nextPrefix();
    const own = await startRedisServer();
    const errors: unknown[] = [];
    try {
      const cache = instance({ timeoutMs: 300, onError: (error) => errors.push(error) }, own.url);
      await cache.lookup("key_a:1");
      await cache.store("key_a:1", answer("kept"));
      expect(await cache.lookup("key_a:1")).toStrictEqual(answer("kept"));

      process.kill(own.pid, "SIGSTOP");
      let started = Date.now();
      expect(await cache.lookup("key_a:1")).toBeUndefined();
      await cache.store("key_a:2", answer("not kept"));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(errors).toHaveLength(2);
      expect(await cache.lookup("key_a:3")).toBeUndefined();
      process.kill(own.pid, "SIGCONT");
      // That lookup took the key's marker once Redis woke up; cleared, another instance does not
      // wait for a run nobody does.
      started = Date.now();
      expect(await instance({}, own.url).lookup("key_a:3")).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);

      await own.close();
      started = Date.now();
      expect(await cache.lookup("key_a:1")).toBeUndefined();
      await cache.abandon("key_a:1");
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(errors.length).toBeGreaterThanOrEqual(4);
    } finally {
      await own.close();
    }
  });
});
