/**
 * Responses API responses in the Redis store (keys as in redis-conversation-store.ts):
 *   response:<id>                    the stored response as JSON, with the bytes it counts for
 *   response-items:<id>, response-item-ids:<id>   its input items' JSON and ids, as lists
 *   responses:<conversation id>      set of its responses' ids (deleted with the conversation)
 *   responses-by-time:<owner>        sorted set of the owner's response ids by creation (retention)
 * A response's bytes join usage:<owner> when it is kept and leave it, exactly as many, when it goes.
 */
import type { Redis } from "ioredis";
import {
  type Page,
  type PageRequest,
  responseBytes,
  type StoredInputItem,
  type StoredResponse,
} from "./conversation-store.js";

/** Lua: an owner with nothing stored any more leaves the owner set, and its usage goes. */
export const forgetIdleOwner = `
local function forgetIdleOwner(prefix, owner)
  if redis.call("ZCARD", prefix .. "conversations:" .. owner) == 0
    and redis.call("ZCARD", prefix .. "responses-by-time:" .. owner) == 0 then
    redis.call("SREM", prefix .. "owners", owner)
    redis.call("DEL", prefix .. "usage:" .. owner)
  end
end`;

/** Lua that deletes the response `id` (in scope with `prefix`) and gives its bytes back. */
const deleteOne = `
local function deleteResponse(prefix, id)
  local json = redis.call("GET", prefix .. "response:" .. id)
  if not json then return 0 end
  local response = cjson.decode(json)
  redis.call("DECRBY", prefix .. "usage:" .. response.owner, response.bytes)
  redis.call("DEL", prefix .. "response:" .. id, prefix .. "response-items:" .. id, prefix .. "response-item-ids:" .. id)
  redis.call("SREM", prefix .. "responses:" .. response.conversationId, id)
  redis.call("ZREM", prefix .. "responses-by-time:" .. response.owner, id)
  return 1
end`;

const putScript = `
local prefix, json = ARGV[1], ARGV[2]
local response = cjson.decode(json)
redis.call("SET", prefix .. "response:" .. response.id, json)
redis.call("SADD", prefix .. "responses:" .. response.conversationId, response.id)
redis.call("ZADD", prefix .. "responses-by-time:" .. response.owner, response.createdAt, response.id)
redis.call("SADD", prefix .. "owners", response.owner)
redis.call("INCRBY", prefix .. "usage:" .. response.owner, response.bytes)
-- Items in batches: Lua's unpack takes a few thousand values at most.
local count = (#ARGV - 2) / 2
for first = 0, count - 1, 1000 do
  local ids, items = {}, {}
  for index = first, math.min(first + 999, count - 1) do
    ids[#ids + 1] = ARGV[3 + index * 2]
    items[#items + 1] = ARGV[4 + index * 2]
  end
  redis.call("RPUSH", prefix .. "response-item-ids:" .. response.id, unpack(ids))
  redis.call("RPUSH", prefix .. "response-items:" .. response.id, unpack(items))
end
return 1`;

const deleteScript = `${deleteOne}
${forgetIdleOwner}
local json = redis.call("GET", ARGV[1] .. "response:" .. ARGV[2])
local deleted = deleteResponse(ARGV[1], ARGV[2])
if json then forgetIdleOwner(ARGV[1], cjson.decode(json).owner) end
return deleted`;

/** Lua for the conversation's delete script (`prefix`, `id` in scope): its responses go with it. */
export const deleteConversationResponses = `${deleteOne}
for _, response in ipairs(redis.call("SMEMBERS", prefix .. "responses:" .. id)) do deleteResponse(prefix, response) end
redis.call("DEL", prefix .. "responses:" .. id)`;

export async function putResponse(
  redis: Redis,
  prefix: string,
  response: StoredResponse,
  inputItems: readonly StoredInputItem[],
): Promise<void> {
  const json = JSON.stringify({ ...response, bytes: responseBytes(response, inputItems) });
  await redis.eval(putScript, 0, prefix, json, ...inputItems.flatMap((item) => [item.id, item.json]));
}

export async function getResponse(redis: Redis, prefix: string, id: string): Promise<StoredResponse | undefined> {
  const json = await redis.get(`${prefix}response:${id}`);
  if (!json) return undefined;
  const { bytes: _, ...response } = JSON.parse(json) as StoredResponse & { bytes: number };
  return response;
}

export async function responseInputItems(
  redis: Redis,
  prefix: string,
  id: string,
  page: PageRequest,
): Promise<Page<StoredInputItem>> {
  // Ids are short: finding the cursor reads them, the page reads only its own items.
  const ids = await redis.lrange(`${prefix}response-item-ids:${id}`, 0, -1);
  const ascending = page.order === "asc";
  const ordered = ascending ? ids.map((_, index) => index) : ids.map((_, index) => ids.length - 1 - index);
  let start = 0;
  if (page.after !== undefined) {
    const at = ordered.findIndex((index) => ids[index] === page.after);
    start = at < 0 ? ordered.length : at + 1;
  }
  const chosen = ordered.slice(start, start + page.limit);
  if (chosen.length === 0) return { data: [], hasMore: false };
  const low = Math.min(...chosen);
  const high = Math.max(...chosen);
  const items = await redis.lrange(`${prefix}response-items:${id}`, low, high);
  const data = chosen.map((index) => ({ id: ids[index] as string, json: items[index - low] as string }));
  return { data, hasMore: ordered.length > start + page.limit };
}

export async function deleteResponse(redis: Redis, prefix: string, id: string): Promise<boolean> {
  return (await redis.eval(deleteScript, 0, prefix, id)) === 1;
}

export async function expireResponses(
  redis: Redis,
  prefix: string,
  owner: string,
  before: number,
  limit: number,
): Promise<number> {
  const ids = await redis.zrangebyscore(
    `${prefix}responses-by-time:${owner}`,
    "-inf",
    `(${Math.floor(before / 1000)}`,
    "LIMIT",
    0,
    limit,
  );
  for (const id of ids) await deleteResponse(redis, prefix, id);
  return ids.length;
}
