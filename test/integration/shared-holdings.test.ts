/**
 * Held processes across instances (a real redis-server): two RedisHoldings on two Redis clients
 * stand for two gateway instances. What one publishes reduces the other's allowance under a key's
 * cap (checkHoldings, as the pool asks it), and stops counting when the publisher closes — at once
 * — or dies — within the TTL.
 */
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisHoldings, type RedisHoldingsOptions } from "../../src/cluster/redis-holdings.js";
import { checkHoldings } from "../../src/pool/owner-holdings.js";
import { openRedisClient } from "../../src/store/open-redis-client.js";
import { eventually } from "../support/eventually.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";

let server: RedisServer;
const clients: Redis[] = [];
const opened: RedisHoldings[] = [];
let prefix = "";
let tests = 0;

beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((holdings) => holdings.close()));
  await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
});
afterAll(() => server.close());

const quick: RedisHoldingsOptions = { refreshEveryMs: 50, ttlMs: 300 };

function instance(id: string, counts: Record<string, number> = {}, options = quick) {
  const client = openRedisClient(server.url);
  clients.push(client);
  const holdings = new RedisHoldings(client, prefix, id, options);
  opened.push(holdings);
  const held = new Map(Object.entries(counts));
  holdings.publishFrom(() => held);
  return { holdings, held, client };
}

/** What the pool decides for a new process of `owner` (capped at 2) holding nothing here. */
const decision = (holdings: RedisHoldings, owner: string) =>
  checkHoldings([], owner, 2, { kind: "spawn" }, undefined, holdings.heldElsewhere(owner)).kind;

describe("held processes across instances", () => {
  it("count what the other instances hold against a key's cap, never what this one published", async () => {
    prefix = `t${++tests}:`;
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
    prefix = `t${++tests}:`;
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
    prefix = `t${++tests}:`;
    instance("inst_a", { key_a: 2 });
    const errors: unknown[] = [];
    const client = openRedisClient(server.url);
    clients.push(client);
    const b = new RedisHoldings(client, prefix, "inst_b", { ...quick, onError: (error) => errors.push(error) });
    opened.push(b);
    await eventually(() => expect(b.heldElsewhere("key_a")).toBe(2), 5_000);
    client.disconnect(); // a partition: b heard once, then nothing
    await eventually(() => expect(b.heldElsewhere("key_a")).toBe(0), 5_000);
    expect(errors).toHaveLength(1); // told once, not at every refresh
  });
});
