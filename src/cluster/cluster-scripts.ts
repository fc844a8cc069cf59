/**
 * What gateway instances sharing one Redis store share besides conversations, as Lua scripts:
 * each check-and-take is one script, atomic on the server, so two instances can never both take
 * the last slot. Keys (all under the configured prefix, beside the store's):
 *
 *   limits:started:<owner>     sorted set of admissions in the last minute, scored by their time (Unix ms)
 *   limits:running:<owner>     sorted set of requests in flight (leases), scored by when each lapses
 *   cache:<owner>:<hash>       a kept answer as JSON (PX cache.ttl_seconds)
 *   cache-index:<owner>        sorted set of the owner's cache keys by order of last use: its LRU
 *   cache-pending:<owner>:<hash>  the run an identical request waits for (SET NX PX, renewed while it runs)
 *   holdings                   sorted set of instance ids, scored by when their holdings lapse
 *   holdings:<instance>        hash owner → CLI processes that instance holds committed (PX)
 *
 * Like the store's, the holdings script builds keys from the prefix, so a Redis Cluster is not
 * supported (one Redis or a replicated primary is).
 */

/**
 * KEYS: started, running. ARGV: now (the instance's Unix ms), requests per minute, requests in
 * flight ("" for no limit), the admission's id, the lease's TTL (ms). Returns {"admitted"},
 * {"rate", <time of the oldest admission in the window>} or {"concurrent"}; a refusal writes
 * nothing but the expired entries it drops.
 */
export const admitScript = `
local now, perMinute, concurrent = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local id, leaseTtl = ARGV[4], tonumber(ARGV[5])
if perMinute then
  redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - 60000)
  if redis.call("ZCARD", KEYS[1]) >= perMinute then
    return {"rate", redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")[2]}
  end
end
if concurrent then
  redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now)
  if redis.call("ZCARD", KEYS[2]) >= concurrent then return {"concurrent"} end
end
if perMinute then
  redis.call("ZADD", KEYS[1], now, id)
  redis.call("PEXPIRE", KEYS[1], 60000)
end
if concurrent then
  redis.call("ZADD", KEYS[2], now + leaseTtl, id)
  redis.call("PEXPIRE", KEYS[2], leaseTtl)
end
return {"admitted"}`;

/**
 * The next use in an owner's cache index: one past the most recent. An order, not a time, so two
 * uses within one millisecond still rank (a tie would let ZPOPMIN evict by name).
 */
const nextUse = `
local function nextUse(index)
  local newest = redis.call("ZRANGE", index, -1, -1, "WITHSCORES")
  return (tonumber(newest[2]) or 0) + 1
end`;

/**
 * KEYS: entry, pending, index. ARGV: cache key, this lookup's token, the token of the run it waits
 * for ("" at first), the pending marker's TTL (ms). Returns {"hit", json}; {"run"} when the marker
 * is now this lookup's; {"wait", token} while another run holds it; {"alone"} when the run waited
 * for ended without an answer and another has started since: its waiters run their own, as they
 * would in one instance.
 */
export const cacheLookupScript = `${nextUse}
local kept = redis.call("GET", KEYS[1])
if kept then
  redis.call("ZADD", KEYS[3], "XX", nextUse(KEYS[3]), ARGV[1])
  return {"hit", kept}
end
local running = redis.call("GET", KEYS[2])
if not running then
  redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[4])
  return {"run"}
end
if ARGV[3] == "" or ARGV[3] == running then return {"wait", running} end
return {"alone"}`;

/**
 * KEYS: entry, pending, index. ARGV: cache key, the answer's JSON, TTL (ms), entries the owner may
 * keep, the token of the marker to clear ("" for none), the entries' key prefix. The owner's least
 * recently used entries beyond the cap go; the index lapses with its newest entry.
 */
export const cacheStoreScript = `${nextUse}
redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
redis.call("ZADD", KEYS[3], nextUse(KEYS[3]), ARGV[1])
redis.call("PEXPIRE", KEYS[3], ARGV[3])
local surplus = redis.call("ZCARD", KEYS[3]) - tonumber(ARGV[4])
if surplus > 0 then
  local evicted = redis.call("ZPOPMIN", KEYS[3], surplus)
  for index = 1, #evicted, 2 do redis.call("DEL", ARGV[6] .. evicted[index]) end
end
if redis.call("GET", KEYS[2]) == ARGV[5] then redis.call("DEL", KEYS[2]) end
return 1`;

/** KEYS: pending. ARGV: token, TTL (ms). Extends the marker while it is still this run's. */
export const cacheRenewScript = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;

/** Redis's clock (Unix ms): the same for every instance, whatever theirs say. */
const redisNow = `
local function now()
  local time = redis.call("TIME")
  return time[1] * 1000 + math.floor(time[2] / 1000)
end`;

/**
 * ARGV: prefix, instance id, TTL (ms), JSON object owner → processes held. Replaces the instance's
 * published holdings, drops instances whose holdings lapsed, and returns the other instances'
 * holdings summed per owner (JSON), so one round trip both tells and learns.
 */
export const holdingsScript = `${redisNow}
local prefix, me, ttl, counts = ARGV[1], ARGV[2], tonumber(ARGV[3]), cjson.decode(ARGV[4])
local index, mine = prefix .. "holdings", prefix .. "holdings:" .. ARGV[2]
local at = now()
redis.call("DEL", mine)
for owner, count in pairs(counts) do redis.call("HSET", mine, owner, count) end
redis.call("PEXPIRE", mine, ttl)
redis.call("ZADD", index, at + ttl, me)
redis.call("ZREMRANGEBYSCORE", index, "-inf", at)
local elsewhere = {}
for _, other in ipairs(redis.call("ZRANGE", index, 0, -1)) do
  if other ~= me then
    local held = redis.call("HGETALL", prefix .. "holdings:" .. other)
    for field = 1, #held, 2 do
      elsewhere[held[field]] = (elsewhere[held[field]] or 0) + tonumber(held[field + 1])
    end
  end
end
return cjson.encode(elsewhere)`;
