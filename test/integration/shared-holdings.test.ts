import { describe, expect, it } from "vitest";
import { RedisHoldings, type RedisHoldingsOptions } from "../../src/cluster/redis-holdings.js";
import { checkHoldings } from "../../src/pool/owner-holdings.js";
import { eventually } from "../support/eventually.js";
import { useRedisInstances } from "../support/redis-instances.js";

const redis = useRedisInstances();
let prefix = "";

const quick: RedisHoldingsOptions = { refreshEveryMs: 50, ttlMs: 300 };

function instance(id: string, counts: Record<string, number> = {}, options = quick) {
  const client = redis.client();
  const holdings = new RedisHoldings(client, prefix, id, options);
  redis.track(holdings);
  const held = new Map(Object.entries(counts));
  holdings.publishFrom(() => held);
  return { holdings, held, client };
}

/** What the pool decides for a new process of `owner` (capped at 2) holding nothing here. */
const decision = (holdings: RedisHoldings, owner: string) =>
  checkHoldings([], owner, 2, { kind: "spawn" }, undefined, holdings.heldElsewhere(owner)).kind;

describe("held processes across instances", () => {
  it("count what the other instances hold against a key's cap, never what this one published", async () => {
    prefix = redis.nextPrefix();
    const a = instance("inst_a", { key_a: 2, "": 1 });
    const b = instance("inst_b", { key_a: 1 });
    const c = instance("inst_c");
    await eventually(() => {
      expect(c.holdings.heldElsewhere("key_a")).toBe(3);
      expect(b.holdings.heldElsewhere("key_a")).toBe(2);
      expect(a.holdings.heldElsewhere("key_a")).toBe(1);
    }, 5_000);
    expect(c.holdings.heldElsewhere("")).toBe(1);
    expect(c.holdings.heldElsewhere("key_b")).toBe(0);
    expect(decision(c.holdings, "key_a")).toBe("full");
    expect(decision(c.holdings, "key_b")).toBe("within");

    // A change is published a tick after it is told, not at the next refresh only.
    a.held.set("key_a", 0);
    a.holdings.changed();
    await eventually(() => expect(c.holdings.heldElsewhere("key_a")).toBe(1), 5_000);
    expect(decision(c.holdings, "key_a")).toBe("within");
  });

  it("stop counting what an instance held once it closes (at once) or dies (within the TTL)", async () => {
    prefix = redis.nextPrefix();
    // Its holdings would count for 10 s unless withdrawn.
    const a = instance("inst_a", { key_a: 2 }, { refreshEveryMs: 50, ttlMs: 10_000 });
    const dying = instance("inst_dying", { key_b: 2 });
    const b = instance("inst_b");
    await eventually(() => {
      expect(decision(b.holdings, "key_a")).toBe("full");
      expect(decision(b.holdings, "key_b")).toBe("full");
    }, 5_000);

    await a.holdings.close();
    await eventually(() => expect(decision(b.holdings, "key_a")).toBe("within"), 1_000);

    // No withdrawal, no more publishing: as a SIGKILLed instance.
    dying.client.disconnect();
    const diedAt = Date.now();
    await eventually(() => expect(decision(b.holdings, "key_b")).toBe("within"), 5_000);
    expect(Date.now() - diedAt).toBeLessThan(2_000);
  });

  it("counts nothing elsewhere when it cannot hear from Redis for a whole TTL", async () => {
    prefix = redis.nextPrefix();
    instance("inst_a", { key_a: 2 });
    const errors: unknown[] = [];
    const client = redis.client();
    const b = new RedisHoldings(client, prefix, "inst_b", { ...quick, onError: (error) => errors.push(error) });
    redis.track(b);
    await eventually(() => expect(b.heldElsewhere("key_a")).toBe(2), 5_000);
    client.disconnect(); // a partition: b heard once, then nothing
    await eventually(() => expect(b.heldElsewhere("key_a")).toBe(0), 5_000);
    expect(errors).toHaveLength(1); // told once, not at every refresh
  });
});
