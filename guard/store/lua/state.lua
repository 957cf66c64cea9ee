-- state(key, now, spec): the key's windows, ring and campaign, counting nothing.
-- KEYS[1]: the key's base. Arguments: prefix, key, now, spec block.
-- Returns nil for a key not tracked, else {JSON {windows, campaign}, recent records...}.
local base = KEYS[1]
local P, key, now = arg(), arg(), num()
local spec = read_spec()

local entry = live(P, key, now)
if not entry then
  return false
end
local windows
if entry.layout == spec.layout then
  windows = counts(P, base, spec)
else
  windows = zeros(spec)
end
local recent = redis.call('LRANGE', base .. ':r', 0, -1)
local campaign = {}
local root = root_of(P, key, spec.horizon_ms)
if root then
  campaign = campaign_at(P, root, spec)
end
local reply = {cjson.encode({windows, campaign})}
for _, r in ipairs(recent) do
  reply[#reply + 1] = r
end
return reply
