/**
 * A test file's redis-server, and what its tests open on it as "instances": each its own Redis
 * client, the objects built on them, and a key prefix per test — closed after each test.
 */
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { openRedisClient } from "../../src/store/open-redis-client.js";
import { type RedisServer, startRedisServer } from "./start-redis-server.js";

export function useRedisInstances() {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  const opened: Array<{ close(): unknown }> = [];
  let tests = 0;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(async (each) => each.close()));
    await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
  });
  afterAll(() => server?.close());
  const url = () => {
    if (!server) throw new Error("the redis-server has not started");
    return server.url;
  };
  return {
    url,
    /** A client of its own (another instance's), closed after the test. */
    client(at = url()): Redis {
      const client = openRedisClient(at);
      clients.push(client);
      return client;
    },
    /** Closed after the test. */
    track<T extends { close(): unknown }>(each: T): T {
      opened.push(each);
      return each;
    },
    /** A key prefix no earlier test used. */
    nextPrefix: () => `t${++tests}:`,
  };
}
