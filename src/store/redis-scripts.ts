/**
 * The Redis store's record updates (keys as in redis-conversation-store.ts), as Lua scripts:
 * atomic on the server, so no two turns (or a turn and a metadata update) can interleave, whatever
 * the connection is doing meanwhile. Each keeps the owner's `usage:<owner>` byte count and the
 * record's own share of it in step. Scripts build keys from the prefix, so a Redis Cluster is not
 * supported (one Redis or a replicated primary is).
 *
 * Bytes counted are those SQLite counts too: items' texts, transcripts and system prompts (UTF-8;
 * Lua's # counts bytes). `size` takes JSON null (cjson.null, not a string) as nothing.
 */
import { deleteConversationResponses, forgetIdleOwner } from "./redis-responses.js";

const helpers = `
local function size(value) return type(value) == "string" and #value or 0 end
local function itemText(json) return size(cjson.decode(json).text) end`;

export const recordTurnScript = `${helpers}
local prefix, turn = ARGV[1], cjson.decode(ARGV[2])
local key = prefix .. "conversation:" .. turn.id
local json = redis.call("GET", key)
local stored = json and cjson.decode(json)
local revision = stored and stored.revision or 0
if revision ~= turn.expectedRevision then return 0 end
local record = stored or {
  id = turn.id, owner = turn.owner, createdAt = math.floor(turn.now / 1000), metadata = {},
  transcriptRevision = 0, sequence = redis.call("INCR", prefix .. "sequence") }
if stored then
  redis.call("ZREM", prefix .. "digest:" .. turn.owner .. ":" .. stored.historyDigest, turn.id)
else
  redis.call("ZADD", prefix .. "conversations:" .. turn.owner, record.sequence, turn.id)
  redis.call("SADD", prefix .. "owners", turn.owner)
end
local added = size(turn.systemPrompt) - size(record.systemPrompt)
record.model, record.systemPrompt, record.sessionId = turn.model, turn.systemPrompt, turn.sessionId
record.revision, record.historyDigest = revision + 1, turn.historyDigest
if #turn.items > 0 then
  local items = prefix .. "items:" .. turn.id
  for _, item in ipairs(turn.items) do added = added + itemText(item) end
  local length = redis.call("RPUSH", items, unpack(turn.items))
  if length > turn.maxItems then
    for _, item in ipairs(redis.call("LRANGE", items, 0, length - turn.maxItems - 1)) do added = added - itemText(item) end
    redis.call("LTRIM", items, -turn.maxItems, -1)
  end
end
record.storedBytes = (record.storedBytes or 0) + added
redis.call("INCRBY", prefix .. "usage:" .. turn.owner, added)
redis.call("SET", key, cjson.encode(record))
redis.call("ZADD", prefix .. "digest:" .. turn.owner .. ":" .. turn.historyDigest, turn.now, turn.id)
redis.call("ZADD", prefix .. "advanced:" .. turn.owner, turn.now, turn.id)
return 1`;

export const saveTranscriptScript = `
local prefix, id, update, text = ARGV[1], ARGV[2], cjson.decode(ARGV[3]), ARGV[4]
local key = prefix .. "conversation:" .. id
local json = redis.call("GET", key)
if not json then return 0 end
local record = cjson.decode(json)
if (record.transcriptRevision or 0) >= update.revision or record.revision < update.revision then return 0 end
local transcript = prefix .. "transcript:" .. id
local added = #text
if update.offset == 0 then
  added = added - redis.call("STRLEN", transcript)
  redis.call("SET", transcript, text)
elseif record.transcriptSessionId == update.sessionId and redis.call("STRLEN", transcript) == update.offset then
  redis.call("APPEND", transcript, text)
else return 0 end
record.transcriptSessionId, record.transcriptRevision = update.sessionId, update.revision
record.storedBytes = (record.storedBytes or 0) + added
redis.call("INCRBY", prefix .. "usage:" .. record.owner, added)
redis.call("SET", key, cjson.encode(record))
return 1`;

export const updateMetadataScript = `
local key = ARGV[1] .. "conversation:" .. ARGV[2]
local json = redis.call("GET", key)
if not json then return 0 end
local record = cjson.decode(json)
record.metadata = cjson.decode(ARGV[3])
redis.call("SET", key, cjson.encode(record))
return 1`;

export const deleteScript = `
local prefix, id = ARGV[1], ARGV[2]
local json = redis.call("GET", prefix .. "conversation:" .. id)
if not json then return 0 end
local record = cjson.decode(json)
${deleteConversationResponses}
redis.call("DEL", prefix .. "conversation:" .. id, prefix .. "transcript:" .. id, prefix .. "items:" .. id, prefix .. "lock:" .. id)
redis.call("ZREM", prefix .. "conversations:" .. record.owner, id)
redis.call("ZREM", prefix .. "advanced:" .. record.owner, id)
redis.call("ZREM", prefix .. "digest:" .. record.owner .. ":" .. record.historyDigest, id)
redis.call("DECRBY", prefix .. "usage:" .. record.owner, record.storedBytes or 0)
${forgetIdleOwner}
forgetIdleOwner(prefix, record.owner)
return 1`;

/**
 * A turn's lock, taken when free — or when its holder's instance is gone (its `instance:<id>`
 * record lapsed: SIGKILLed, or cut off): the conversation moves on at once instead of waiting out
 * the lock's TTL. Holders named by a process id (no instance) are only ever waited out.
 */
export const lockScript = `
local key, holder, ttl, prefix = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
if redis.call("SET", key, holder, "PX", ttl, "NX") then return 1 end
local instance = string.match(redis.call("GET", key) or "", "^(inst_%x+):")
if instance and redis.call("EXISTS", prefix .. "instance:" .. instance) == 0 then
  redis.call("SET", key, holder, "PX", ttl)
  return 1
end
return 0`;

export const unlockScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * A record written before usage was counted (no storedBytes): counted now — items, transcript,
 * system prompt — and entered in the owner set and the retention index (its last advance is the
 * score of its current digest entry, else its creation). Idempotent: counted records are skipped.
 */
export const backfillScript = `${helpers}
local prefix, id = ARGV[1], ARGV[2]
local key = prefix .. "conversation:" .. id
local json = redis.call("GET", key)
if not json then return 0 end
local record = cjson.decode(json)
if record.storedBytes ~= nil then return 0 end
local bytes = redis.call("STRLEN", prefix .. "transcript:" .. id) + size(record.systemPrompt)
for _, item in ipairs(redis.call("LRANGE", prefix .. "items:" .. id, 0, -1)) do bytes = bytes + itemText(item) end
record.storedBytes = bytes
redis.call("SET", key, cjson.encode(record))
redis.call("INCRBY", prefix .. "usage:" .. record.owner, bytes)
redis.call("SADD", prefix .. "owners", record.owner)
local advanced = redis.call("ZSCORE", prefix .. "digest:" .. record.owner .. ":" .. record.historyDigest, id)
redis.call("ZADD", prefix .. "advanced:" .. record.owner, advanced or (record.createdAt * 1000), id)
return 1`;
