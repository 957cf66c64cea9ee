-- observe(key, observation, spec): one request, counted in one round trip.
-- KEYS[1]: the key's base. Arguments: prefix, key, now, cell, input tokens, ring size, max
-- keys, max campaigns, spec block, then the rate limits (count, then name, interval, burst
-- each) and the link features (count, then each); ARGV[2]: the ring record.
-- Returns {JSON {rates, windows, campaign}, recent records...}.
local base = KEYS[1]
local P, key, now = arg(), arg(), num()
local cell, tokens, ring, record = arg(), num(), num(), ARGV[2]
local max_keys, max_camps = num(), num()
local spec = read_spec()
local limits = {}
for j = 1, num() do
  limits[j] = {name = arg(), interval = num(), burst = num()}
end
local links = {}
for j = 1, num() do
  links[j] = arg()
end

local entry = live(P, key, now)
local tats = entry and entry.tats or {}
local rates, new = {}, {}
if #limits > 0 then
  rates, new = check(tats, limits, now)
end
if entry and entry.layout and entry.layout ~= spec.layout then
  drop_windows(base, entry.layout)
end
touch(P, key, entry, now, max_keys, {'hz', fmt(spec.horizon), 'l', spec.layout})

local root
if #links > 0 then
  root = link(P, key, links, spec, max_camps, 0)
else
  root = root_of(P, key, spec.horizon_ms)
end

local windows = add(P, base, spec, cell, tokens)
if #new > 0 then
  store_tats(base, tats, new, now)
end

local recent = {}
if ring > 0 and record ~= '' then
  local rk = base .. ':r'
  redis.call('LPUSH', rk, record)
  redis.call('LTRIM', rk, 0, ring - 1)
  recent = redis.call('LRANGE', rk, 0, -1)
end

local campaign = {}
if root then
  local cb = camp_base(P, root)
  local g = redis.call('HMGET', cb, 'n', 'l')
  local size = tonumber(g[1])
  if size and size > 1 then
    if g[2] ~= spec.layout then
      drop_windows(cb, g[2] or nil)
      redis.call('HSET', cb, 'l', spec.layout)
    end
    redis.call('PEXPIRE', cb, spec.horizon_ms)
    campaign = {root, size, add(P, cb, spec, cell, tokens)}
  end
end

expire_entry(base, spec.horizon, tats, now)
local reply = {cjson.encode({rates, windows, campaign})}
for _, r in ipairs(recent) do
  reply[#reply + 1] = r
end
return reply
