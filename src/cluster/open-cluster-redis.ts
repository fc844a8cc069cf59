/** The connection for what instances share besides the store (registry, locations, limits): Redis only. */
import { Redis } from "ioredis";

export function openClusterRedis(storeUrl: string): Redis | undefined {
  if (!storeUrl.startsWith("redis")) return undefined;
  // As the store's: requests fail fast while Redis is unreachable instead of queueing without bound.
  const redis = new Redis(storeUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on("error", () => {}); // reported through the failing commands
  return redis;
}
