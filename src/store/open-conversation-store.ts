/** `store.url` → the store it names. The only place that picks an implementation. */
import type { ConversationStore, StoreLimits } from "./conversation-store.js";
import { RedisConversationStore } from "./redis-conversation-store.js";
import { SqliteConversationStore } from "./sqlite-conversation-store.js";
import { reportingUnavailability } from "./store-unavailable.js";

export function openConversationStore(url: string, redisKeyPrefix: string, limits: StoreLimits): ConversationStore {
  const store = url.startsWith("sqlite:")
    ? new SqliteConversationStore(url.slice("sqlite:".length), limits)
    : new RedisConversationStore(url, redisKeyPrefix, limits);
  return reportingUnavailability(store);
}
