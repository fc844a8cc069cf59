import { describe, expect, it } from "vitest";
import { MemoryKeyLimits } from "../../src/auth/memory-key-limits.js";
import { RedisKeyLimits, type RedisKeyLimitsOptions } from "../../src/cluster/redis-key-limits.js";
import { eventually } from "../support/eventually.js";
import { useRedisInstances } from "../support/redis-instances.js";
import { startRedisServer } from "../support/start-redis-server.js";

const redis = useRedisInstances();
let prefix = "";

/** An instance: its own Redis client, the test's prefix. */
function instance(options?: RedisKeyLimitsOptions, url = redis.url()): RedisKeyLimits {
  const client = redis.client(url);
  const limits = new RedisKeyLimits(client, prefix, options);
  redis.track(limits);
  return limits;
}

const caller = (limits: { requestsPerMinute?: number; maxConcurrentRequests?: number }, owner = "key_a") => ({
  owner,
  limits,
});

describe("per-key limits in Redis", () => {
  it("share one sliding window between instances, Retry-After counted from the oldest admission", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    const perMinute = caller({ requestsPerMinute: 2 });
    const start = Date.now();
    (await a.admit(perMinute, start))();
    (await b.admit(perMinute, start + 1_000))();
    const refusal = b.admit(perMinute, start + 10_000);
    await expect(refusal).rejects.toMatchObject({
      status: 429,
      type: "rate_limit_error",
      code: "rate_limit_exceeded",
      message: "This key may start 2 requests per minute.",
      retryAfterSeconds: 50,
    });
    await expect(a.admit(perMinute, start + 59_999)).rejects.toMatchObject({ retryAfterSeconds: 1 });
    // Another key has a window of its own.
    (await a.admit(caller({ requestsPerMinute: 2 }, "key_b"), start + 10_000))();
    // The oldest admission leaves the window a minute later, and only it.
    (await a.admit(perMinute, start + 60_000))();
    await expect(b.admit(perMinute, start + 60_001)).rejects.toMatchObject({ retryAfterSeconds: 1 });
    (await b.admit(perMinute, start + 61_000))();
  });

  it("share one count in flight; a join ({ inFlight: false }) counts per minute only", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    const one = caller({ maxConcurrentRequests: 1 });
    const release = await a.admit(one);
    await expect(b.admit(one)).rejects.toMatchObject({
      status: 429,
      type: "rate_limit_error",
      code: "too_many_concurrent_requests",
      message: "This key may have 1 requests in flight at once.",
      retryAfterSeconds: 1,
    });
    (await b.admit(one, Date.now(), { inFlight: false }))();
    release();
    release(); // idempotent: gives back one slot, not two
    const second = await b.admit(one);
    await expect(a.admit(one)).rejects.toMatchObject({ code: "too_many_concurrent_requests" });
    second();
    (await a.admit(one))();
  });

  it("refuse with exactly the errors of the in-memory limits", async () => {
    prefix = redis.nextPrefix();
    const shared = instance();
    const memory = new MemoryKeyLimits();
    const both = caller({ requestsPerMinute: 1, maxConcurrentRequests: 1 });
    const start = Date.now();
    const refusals = async (limits: RedisKeyLimits | MemoryKeyLimits) => {
      const held = await limits.admit(both, start);
      const rate = await limits.admit(both, start + 2_500).catch((error: unknown) => error);
      held();
      const concurrent = await limits
        .admit(caller({ maxConcurrentRequests: 1 }), start)
        .then((release) => limits.admit(caller({ maxConcurrentRequests: 1 }), start).finally(release))
        .catch((error: unknown) => error);
      return [rate, concurrent].map((error) => {
        const { status, type, code, message, retryAfterSeconds, param } = error as Record<string, unknown>;
        return { status, type, code, message, retryAfterSeconds, param };
      });
    };
    const fromRedis = await refusals(shared);
    expect(fromRedis).toEqual(await refusals(memory));
    expect(fromRedis.map((refusal) => refusal.code)).toEqual(["rate_limit_exceeded", "too_many_concurrent_requests"]);
  });

  it("count nothing for a refused request", async () => {
    prefix = redis.nextPrefix();
    const [a, b] = [instance(), instance()];
    const limited = caller({ requestsPerMinute: 2, maxConcurrentRequests: 1 });
    const start = Date.now();
    const held = await a.admit(limited, start);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(b.admit(limited, start + attempt)).rejects.toMatchObject({ code: "too_many_concurrent_requests" });
    }
    held();
    // Had the refusals counted, the minute's second request would be refused.
    const second = await b.admit(limited, start + 10);
    await expect(a.admit(limited, start + 20)).rejects.toMatchObject({ code: "rate_limit_exceeded" });
    second();
    // …and a request refused per minute takes no slot in flight.
    await expect(a.admit(limited, start + 30)).rejects.toMatchObject({ code: "rate_limit_exceeded" });
    (await b.admit(caller({ maxConcurrentRequests: 1 }), start + 40))();
  });

  it("keep a lease while its holder renews it, and let it lapse once the holder stops", async () => {
    prefix = redis.nextPrefix();
    const quick = { leaseTtlMs: 400, renewEveryMs: 100 };
    const [a, b] = [instance(quick), instance(quick)];
    const one = caller({ maxConcurrentRequests: 1 });
    await a.admit(one); // never given back: its instance dies below
    // Renewed: held well past its TTL.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect(b.admit(one)).rejects.toMatchObject({ code: "too_many_concurrent_requests" });
    // The holder stops renewing (as a SIGKILLed instance does): the slot is free within the TTL.
    a.close();
    const stoppedAt = Date.now();
    const release = await eventually(() => b.admit(one), 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    release();
  });

  it("answer 503 store_unavailable, promptly, when Redis is down or hangs; unlimited keys never ask it", async () => {
    prefix = redis.nextPrefix();
    const own = await startRedisServer();
    try {
      const limits = instance({ timeoutMs: 500 }, own.url);
      const limited = caller({ requestsPerMinute: 10 });
      (await limits.admit(limited))();

      process.kill(own.pid, "SIGSTOP"); // hangs: connected, never answering
      let started = Date.now();
      await expect(limits.admit(limited)).rejects.toMatchObject({
        status: 503,
        code: "store_unavailable",
        message: "The conversation store is unavailable; retry later.",
        retryAfterSeconds: 5,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      (await limits.admit(caller({})))();
      const one = caller({ maxConcurrentRequests: 1 });
      await expect(limits.admit(one)).rejects.toMatchObject({ code: "store_unavailable" });
      process.kill(own.pid, "SIGCONT");
      // The refused admission landed once Redis woke up: its lease was given back, not left to lapse.
      (await eventually(() => limits.admit(one), 5_000))();
      (await limits.admit(limited))();

      await own.close(); // down: refused connections
      started = Date.now();
      await expect(limits.admit(limited)).rejects.toMatchObject({ status: 503, code: "store_unavailable" });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await own.close();
    }
  });
});
