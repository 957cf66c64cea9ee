-- keys(limit): up to limit tracked keys, most recently active first, as of the caller's
-- clock. Keys whose data is gone with its TTL leave the index on the way; expired ones are
-- only skipped (a later call may bring an earlier time, as in the memory store).
-- Arguments: prefix, clock, limit.
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
    if not entry then
      stale[#stale + 1] = key
    elseif #out < limit and not is_expired(entry, clock) then
      out[#out + 1] = key
    end
  end
  start = start + page
end
if #stale > 0 then
  redis.call('ZREM', index, unpack(stale))
end
return out
