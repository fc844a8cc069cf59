import { describe, expect, it } from "vitest";
import { MemoryResponseCache } from "./memory-response-cache.js";

describe("MemoryResponseCache", () => {
  it("shares a running request's answer with an identical one", async () => {
    const cache = new MemoryResponseCache<string>(10, 60_000);
    expect(await cache.lookup("k")).toBeUndefined();
    const waiting = cache.lookup("k");
    void cache.store("k", "answer");
    expect(await waiting).toBe("answer");
  });

  it("counts the wait for another's answer against the waiter's own deadline", async () => {
    const cache = new MemoryResponseCache<string>(10, 60_000);
    expect(await cache.lookup("k")).toBeUndefined();
    const deadline = AbortSignal.timeout(50);
    await expect(cache.lookup("k", deadline)).rejects.toMatchObject({ name: "TimeoutError" });
    // The running request still owns the key: its answer is kept for the next.
    await cache.store("k", "answer");
    expect(await cache.lookup("k")).toBe("answer");
  });
});
