-- keys(limit): up to limit tracked keys, most recently active first, as of the caller's
-- clock. Keys found expired (or gone with their TTL) are dropped from the index on the way.
-- ARGV: prefix, clock, limit.
local P, clock, limit = arg(), num(), num()

local index = P .. ':keys'
local out, stale = {}, {}
local start = 0
local page = math.max(limit, 64)
while #out < limit do
  local batch = redis.call('ZREVRANGE', index, start, start + page - 1)
  if #batch == 0 then
    break
  end
  for _, key in ipairs(batch) do
    local entry = read_entry(key_base(P, key))
    if not entry or is_expired(entry, clock) then
      stale[#stale + 1] = key
    elseif #out < limit then
      out[#out + 1] = key
    end
  end
  start = start + page
end
for _, key in ipairs(stale) do
  purge(P, key)
end
return out
