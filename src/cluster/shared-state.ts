/**
 * What gateway instances share besides conversations — per-key limits, the response cache, the
 * processes each key holds — opened in one place: in the store's Redis when the store is one
 * (all the instances behind a load balancer count together), else in this instance's memory.
 */
import type { Redis } from "ioredis";
import type { KeyLimits } from "../auth/key-limits.js";
import { MemoryKeyLimits } from "../auth/memory-key-limits.js";
import { MemoryResponseCache } from "../cache/memory-response-cache.js";
import type { ResponseCache } from "../cache/response-cache.js";
import type { Configuration } from "../config/configuration-schema.js";
import type { Logger } from "../observability/logger.js";
import { heldNowhereElse, type SharedHoldings } from "../pool/shared-holdings.js";
import type { KeptAnswer } from "../turns/answer-so-far.js";
import { RedisHoldings } from "./redis-holdings.js";
import { RedisKeyLimits } from "./redis-key-limits.js";
import { RedisResponseCache } from "./redis-response-cache.js";

export interface SharedState {
  keyLimits: KeyLimits;
  /** undefined: cache.enabled is false. */
  cache: ResponseCache<KeptAnswer> | undefined;
  holdings: SharedHoldings;
  /** Stops renewing and publishing, and withdraws this instance's holdings; leaves `redis` open. */
  close(): Promise<void>;
}

/**
 * `redis`: a client of the store's Redis (undefined: the store is not Redis, and this instance is
 * alone), used but never closed here. `instanceId`: this instance's name among those publishing
 * their holdings.
 */
export function openSharedState(
  redis: Redis | undefined,
  prefix: string,
  instanceId: string,
  configuration: Pick<Configuration, "cache">,
  logger?: Logger,
): SharedState {
  const { enabled, max_entries: maxEntries, ttl_seconds: ttlSeconds } = configuration.cache;
  if (!redis) {
    return {
      keyLimits: new MemoryKeyLimits(),
      cache: enabled ? new MemoryResponseCache<KeptAnswer>(maxEntries, ttlSeconds * 1000) : undefined,
      holdings: heldNowhereElse,
      close: async () => {},
    };
  }
  const keyLimits = new RedisKeyLimits(redis, prefix);
  const cache = enabled
    ? new RedisResponseCache<KeptAnswer>(redis, prefix, {
        maxEntries,
        ttlMs: ttlSeconds * 1000,
        onError: (error) => logger?.warn({ error: String(error) }, "the response cache could not reach Redis"),
      })
    : undefined;
  const holdings = new RedisHoldings(redis, prefix, instanceId, {
    onError: (error) =>
      logger?.warn({ error: String(error) }, "held processes cannot be shared through Redis: counting this instance's"),
  });
  return {
    keyLimits,
    cache,
    holdings,
    close: async () => {
      keyLimits.close();
      cache?.close();
      await holdings.close();
    },
  };
}
