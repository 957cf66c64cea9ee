-- meta(key): the metadata last recorded, oldest written first, as of the caller's clock.
-- KEYS[1]: the key's base. Arguments: clock. Returns a flat list of names and JSON values.
local base = KEYS[1]
local clock = num()

local entry = read_entry(base)
if not entry or is_expired(entry, clock) then
  return {}
end
local names = redis.call('ZRANGE', base .. ':o', 0, -1)
if #names == 0 then
  return {}
end
local values = redis.call('HMGET', base .. ':m', unpack(names))
local out = {}
for j, name in ipairs(names) do
  if values[j] then
    out[#out + 1] = name
    out[#out + 1] = values[j]
  end
end
return out
