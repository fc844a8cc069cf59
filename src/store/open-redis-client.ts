/**
 * A client of the store's Redis, with the options every user of it shares: the conversation store,
 * and what instances share beside it (cluster/open-cluster.ts).
 */
import { Redis } from "ioredis";
import { withTimeout } from "../with-timeout.js";

export function openRedisClient(url: string): Redis {
  // Fail requests fast while Redis is unreachable instead of queueing them without bound, and give
  // up on a command a Redis that hangs (frozen, swapping) does not answer: nothing waits for ever.
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    commandTimeout: 5_000,
  });
  redis.on("error", () => {}); // reported through the failing commands
  return redis;
}

/** QUIT, or — Redis not answering within a second — the connection dropped: shutdown never hangs on it. */
export async function closeRedisClient(redis: Redis): Promise<void> {
  await withTimeout(redis.quit(), 1_000, "Redis did not answer QUIT").catch(() => redis.disconnect());
}
