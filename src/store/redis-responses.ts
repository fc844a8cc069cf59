/**
 * Responses API responses in the Redis store (keys as in redis-conversation-store.ts):
 *   response:<id>          the stored response as JSON
 *   responses:<conversation id>   set of its responses' ids (deleted with the conversation)
 * Their bytes (body and input items) join the conversation's storedBytes and the owner's
 * usage:<owner>, in one script each, as everywhere in this store.
 */
import type { Redis } from "ioredis";
import type { StoredResponse } from "./conversation-store.js";

const putScript = `
local prefix, json = ARGV[1], ARGV[2]
local response = cjson.decode(json)
local key = prefix .. "conversation:" .. response.conversationId
local stored = redis.call("GET", key)
-- Kept before its conversation exists when its first turn waits for tool results (uncounted until then).
if stored then
  local record = cjson.decode(stored)
  if record.owner ~= response.owner then return 0 end
  local bytes = #response.body + #response.inputItems
  record.storedBytes = (record.storedBytes or 0) + bytes
  redis.call("SET", key, cjson.encode(record))
  redis.call("INCRBY", prefix .. "usage:" .. record.owner, bytes)
end
redis.call("SET", prefix .. "response:" .. response.id, json)
redis.call("SADD", prefix .. "responses:" .. response.conversationId, response.id)
return 1`;

const deleteScript = `
local prefix, id = ARGV[1], ARGV[2]
local json = redis.call("GET", prefix .. "response:" .. id)
if not json then return 0 end
local response = cjson.decode(json)
local bytes = #response.body + #response.inputItems
local key = prefix .. "conversation:" .. response.conversationId
local stored = redis.call("GET", key)
if stored then
  local record = cjson.decode(stored)
  record.storedBytes = math.max(0, (record.storedBytes or 0) - bytes)
  redis.call("SET", key, cjson.encode(record))
  redis.call("DECRBY", prefix .. "usage:" .. record.owner, bytes)
end
redis.call("DEL", prefix .. "response:" .. id)
redis.call("SREM", prefix .. "responses:" .. response.conversationId, id)
return 1`;

/** Lua for the conversation's delete script: its responses go with it. */
export const deleteConversationResponses = `
local responses = prefix .. "responses:" .. id
for _, response in ipairs(redis.call("SMEMBERS", responses)) do redis.call("DEL", prefix .. "response:" .. response) end
redis.call("DEL", responses)`;

export async function putResponse(redis: Redis, prefix: string, response: StoredResponse): Promise<boolean> {
  return (await redis.eval(putScript, 0, prefix, JSON.stringify(response))) === 1;
}

export async function getResponse(redis: Redis, prefix: string, id: string): Promise<StoredResponse | undefined> {
  const json = await redis.get(`${prefix}response:${id}`);
  return json ? (JSON.parse(json) as StoredResponse) : undefined;
}

export async function deleteResponse(redis: Redis, prefix: string, id: string): Promise<boolean> {
  return (await redis.eval(deleteScript, 0, prefix, id)) === 1;
}
