-- record(key, now, spec, output tokens, suspect, meta): account for a finished response.
-- KEYS[1]: the key's base. Arguments: prefix, key, now, max keys, max meta, spec block, output
-- tokens, suspect (0 or 1), then the metadata (count, then name and JSON value each).
local base = KEYS[1]
local P, key, now, max_keys, max_meta = arg(), arg(), num(), num(), num()
local spec = read_spec()
local output, suspect = num(), num()

local entry = live(P, key, now)
local tats = entry and entry.tats or {}
if entry and entry.layout and entry.layout ~= spec.layout then
  drop_windows(base, entry.layout)
end
touch(P, key, entry, now, max_keys, {'hz', fmt(spec.horizon), 'l', spec.layout})

if output ~= 0 or suspect ~= 0 then
  for w = 1, #spec.slots do
    local wh = base .. ':w' .. w
    local S = spec.slots[w]
    local s = advance(wh, S, spec.epoch[w], true) % S
    if output ~= 0 then
      redis.call('HINCRBY', wh, 'o' .. s, output)
    end
    if suspect ~= 0 then
      redis.call('HINCRBY', wh, 'u' .. s, suspect)
    end
    redis.call('PEXPIRE', wh, spec.ttl[w])
  end
end

local n = num()
if n > 0 then
  local mh, order = base .. ':m', base .. ':o'
  for _ = 1, n do
    local name, value = arg(), arg()
    redis.call('HSET', mh, name, value)
    redis.call('ZADD', order, redis.call('HINCRBY', base, 'ms', 1), name)
  end
  local size = redis.call('ZCARD', order)
  if size > max_meta then
    local oldest = redis.call('ZRANGE', order, 0, size - max_meta - 1)
    redis.call('HDEL', mh, unpack(oldest))
    redis.call('ZREMRANGEBYRANK', order, 0, size - max_meta - 1)
  end
end

expire_entry(base, spec.horizon, tats, now)
return 1
