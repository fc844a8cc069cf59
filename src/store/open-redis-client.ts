/**
 * A client of the store's Redis, with the options every user of it shares: the conversation store,
 * and the state instances share beside it (cluster/shared-state.ts).
 */
import { Redis } from "ioredis";
import { withTimeout } from "../pool/with-timeout.js";

export function openRedisClient(url: string): Redis {
  // Fail requests fast while Redis is unreachable instead of queueing them without bound.
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on("error", () => {}); // reported through the failing commands
  return redis;
}

/** QUIT, or — Redis not answering within a second — the connection dropped: shutdown never hangs on it. */
export async function closeRedisClient(redis: Redis): Promise<void> {
  await withTimeout(redis.quit(), 1_000, "Redis did not answer QUIT").catch(() => redis.disconnect());
}
