/** `store.url` → the store it names. The only place that picks an implementation. */
import type { ConversationStore, StoreLimits } from "./conversation-store.js";
import { RedisConversationStore } from "./redis-conversation-store.js";
import { SqliteConversationStore } from "./sqlite-conversation-store.js";

export function openConversationStore(url: string, redisKeyPrefix: string, limits: StoreLimits): ConversationStore {
  if (url.startsWith("sqlite:")) return new SqliteConversationStore(url.slice("sqlite:".length), limits);
  return new RedisConversationStore(url, redisKeyPrefix, limits);
}
