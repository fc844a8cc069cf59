/**
 * What instances share in a real Redis: the registry (a record lapses when its beats stop, goes at
 * once on close or when forgotten), where waiting turns and sessions live (per owner; removed only
 * by the instance that wrote them), and conversation locks taken over from a gone instance.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../../src/cluster/cluster.js";
import { InstanceRegistry } from "../../src/cluster/instance-registry.js";
import { WorkLocations } from "../../src/cluster/work-locations.js";
import { lockHolder } from "../../src/conversations/conversation-lock.js";
import { silentLogger } from "../../src/observability/logger.js";
import { RedisConversationStore } from "../../src/store/redis-conversation-store.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";

let server: RedisServer;
let redis: Redis;
const prefix = "records-test:";
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the instance registry", () => {
  it("keeps a record while it beats, drops it when the beats stop, at once on close", async () => {
    const one = new InstanceRegistry(redis, prefix, "inst_0000000000000001", 400);
    const two = new InstanceRegistry(redis, prefix, "inst_0000000000000002", 400);
    await one.register("http://127.0.0.1:9001/");
    await two.register("http://127.0.0.1:9002");
    await sleep(700); // past one TTL: the beats kept both
    expect((await one.list()).map((record) => record.url).sort()).toEqual([
      "http://127.0.0.1:9001",
      "http://127.0.0.1:9002",
    ]);
    await two.drain();
    expect(await one.get("inst_0000000000000002")).toMatchObject({ draining: true });
    await two.close();
    expect(await one.get("inst_0000000000000002")).toBeUndefined();
    // A frozen instance: its beats stop, its record lapses.
    const frozen = new Redis(server.url);
    const three = new InstanceRegistry(frozen, prefix, "inst_0000000000000003", 400);
    await three.register("http://127.0.0.1:9003");
    frozen.disconnect();
    await sleep(600);
    expect(await one.get("inst_0000000000000003")).toBeUndefined();
    // Forgotten (it refused a connection): gone at once; an instance never forgets itself.
    const four = new InstanceRegistry(redis, prefix, "inst_0000000000000004", 10_000);
    await four.register("http://127.0.0.1:9004");
    const seen = await one.get("inst_0000000000000004");
    if (!seen) throw new Error("not registered");
    // A record renewed with news since it was read is not forgotten.
    await four.drain();
    await one.forget(seen);
    expect(await one.get("inst_0000000000000004")).toMatchObject({ draining: true });
    const drained = await one.get("inst_0000000000000004");
    if (!drained) throw new Error("not registered");
    await one.forget(drained);
    const self = await one.get("inst_0000000000000001");
    if (!self) throw new Error("not registered");
    await one.forget(self);
    expect(await one.get("inst_0000000000000004")).toBeUndefined();
    expect(await one.get("inst_0000000000000001")).toBeDefined();
    await Promise.all([one.close(), four.close()]);
  });
});

describe("work locations", () => {
  it("finds a waiting turn and a session on their instance, for their owner only", async () => {
    const here = new InstanceRegistry(redis, prefix, "inst_00000000000000a1");
    const there = new InstanceRegistry(redis, prefix, "inst_00000000000000a2");
    await Promise.all([here.register("http://127.0.0.1:9101"), there.register("http://127.0.0.1:9102")]);
    const fromHere = new WorkLocations(redis, prefix, here);
    const fromThere = new WorkLocations(redis, prefix, there);
    await fromThere.turnWaiting("key_a", ["toolu_1", "toolu_2"], "conv_1", 60_000);
    await fromThere.sessionStarted("key_a", "sess_1");
    expect(await fromHere.waitingTurn("key_a", ["toolu_2"])).toMatchObject({
      kind: "elsewhere",
      instance: { url: "http://127.0.0.1:9102" },
    });
    expect(await fromHere.waitingConversation("key_a", "conv_1")).toMatchObject({ kind: "elsewhere" });
    expect(await fromThere.waitingTurn("key_a", ["toolu_1"])).toEqual({ kind: "here" });
    expect(await fromHere.session("key_a", "sess_1")).toMatchObject({ kind: "elsewhere" });
    // Another key finds nothing of it.
    expect(await fromHere.waitingTurn("key_b", ["toolu_1"])).toEqual({ kind: "nowhere" });
    expect(await fromHere.session("key_b", "sess_1")).toEqual({ kind: "nowhere" });
    // Only the instance that wrote a record removes it.
    await fromHere.turnEnded("key_a", ["toolu_1", "toolu_2"], "conv_1");
    expect(await fromHere.waitingTurn("key_a", ["toolu_1"])).toMatchObject({ kind: "elsewhere" });
    await fromThere.turnEnded("key_a", ["toolu_1", "toolu_2"], "conv_1");
    expect(await fromHere.waitingTurn("key_a", ["toolu_1", "toolu_2"])).toEqual({ kind: "nowhere" });
    expect(await fromHere.waitingConversation("key_a", "conv_1")).toEqual({ kind: "nowhere" });
    // Its instance gone, a session is gone; the record stays, for an instance that was only frozen.
    await there.close();
    expect(await fromHere.session("key_a", "sess_1")).toEqual({ kind: "gone" });
    await there.register("http://127.0.0.1:9102");
    expect(await fromHere.session("key_a", "sess_1")).toMatchObject({ kind: "elsewhere" });
    await fromThere.sessionEnded("key_a", "sess_1");
    expect(await fromHere.session("key_a", "sess_1")).toEqual({ kind: "nowhere" });
    await there.close();
    await here.close();
  });

  it("a cluster alone has everything here: nothing is anywhere else", async () => {
    const alone = Cluster.alone(silentLogger());
    expect(alone.isShared).toBe(false);
    expect(alone.credential).toBeUndefined();
    expect(await alone.waitingTurn("key_a", ["toolu_1"])).toEqual({ kind: "nowhere" });
    expect(await alone.peers()).toEqual([]);
  });
});

describe("conversation locks across instances", () => {
  it("takes over a lock whose instance is gone, never one of a live instance or a holder without one", async () => {
    const store = new RedisConversationStore(server.url, prefix, { maxItems: 100 });
    const live = new InstanceRegistry(redis, prefix, "inst_00000000000000c1");
    await live.register("http://127.0.0.1:9201");
    const mine = lockHolder("inst_00000000000000c2");
    expect(await store.tryLock("conv_x", lockHolder("inst_00000000000000c1"), 60_000)).toBe(true);
    expect(await store.tryLock("conv_x", mine, 60_000)).toBe(false);
    // Held by an instance not (or no longer) registered: taken at once.
    expect(await store.tryLock("conv_y", lockHolder("inst_00000000000000c9"), 60_000)).toBe(true);
    expect(await store.tryLock("conv_y", mine, 60_000)).toBe(true);
    await store.unlock("conv_y", mine);
    // A holder named by a process id alone is only ever waited out.
    expect(await store.tryLock("conv_z", lockHolder(), 60_000)).toBe(true);
    expect(await store.tryLock("conv_z", mine, 60_000)).toBe(false);
    await live.close();
    expect(await store.tryLock("conv_x", mine, 60_000)).toBe(true);
    await store.close();
  });
});
