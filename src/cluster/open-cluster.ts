/**
 * This instance among the others sharing its Redis store, opened in one place: the cluster
 * (registry, where work lives, the internal credential) and what the instances count together —
 * per-key limits, the response cache, the processes each key holds — through one Redis client of
 * their own. With SQLite the instance is alone and all of it lives in its memory.
 */
import type { Redis } from "ioredis";
import type { KeyLimits } from "../auth/key-limits.js";
import { MemoryKeyLimits } from "../auth/memory-key-limits.js";
import { MemoryResponseCache } from "../cache/memory-response-cache.js";
import type { ResponseCache } from "../cache/response-cache.js";
import type { Configuration } from "../config/configuration-schema.js";
import type { Logger } from "../observability/logger.js";
import { heldNowhereElse, type SharedHoldings } from "../pool/shared-holdings.js";
import { closeRedisClient, openRedisClient } from "../store/open-redis-client.js";
import { Cluster } from "./cluster.js";
import { RedisHoldings } from "./redis-holdings.js";
import { RedisKeyLimits } from "./redis-key-limits.js";
import { RedisResponseCache } from "./redis-response-cache.js";

/** `T`: the answer as the cache keeps it. */
export interface OpenCluster<T> {
  cluster: Cluster;
  keyLimits: KeyLimits;
  /** undefined: cache.enabled is false. */
  cache: ResponseCache<T> | undefined;
  holdings: SharedHoldings;
  /**
   * Last at shutdown, once everything the instance held is in the store: stops renewing and
   * publishing, withdraws its holdings, leaves the registry (its conversations are anyone's).
   */
  close(): Promise<void>;
}

export function openCluster<T>(configuration: Pick<Configuration, "cache" | "store">, logger: Logger): OpenCluster<T> {
  const { enabled, max_entries: maxEntries, ttl_seconds: ttlSeconds } = configuration.cache;
  const { url, redis_key_prefix: prefix } = configuration.store;
  if (!url.startsWith("redis")) {
    return {
      cluster: Cluster.alone(logger),
      keyLimits: new MemoryKeyLimits(),
      cache: enabled ? new MemoryResponseCache<T>(maxEntries, ttlSeconds * 1000) : undefined,
      holdings: heldNowhereElse,
      close: async () => {},
    };
  }
  const redis: Redis = openRedisClient(url);
  const cluster = Cluster.join(redis, prefix, logger);
  const keyLimits = new RedisKeyLimits(redis, prefix);
  const cache = enabled
    ? new RedisResponseCache<T>(redis, prefix, {
        maxEntries,
        ttlMs: ttlSeconds * 1000,
        onError: (error) => logger.warn({ error: String(error) }, "the response cache could not reach Redis"),
      })
    : undefined;
  const holdings = new RedisHoldings(redis, prefix, cluster.instanceId, {
    onError: (error) =>
      logger.warn({ error: String(error) }, "held processes cannot be shared through Redis: counting this instance's"),
  });
  return {
    cluster,
    keyLimits,
    cache,
    holdings,
    close: async () => {
      keyLimits.close();
      cache?.close();
      await holdings.close();
      await cluster.close();
      await closeRedisClient(redis);
    },
  };
}
