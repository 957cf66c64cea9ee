-- rate(key, limit, now): check and consume one request against one GCRA limit.
-- KEYS[1]: the key's base. Arguments: prefix, key, now, max keys, name, interval, burst.
-- Returns {allowed, retry_after, remaining}.
local base = KEYS[1]
local P, key, now, max_keys = arg(), arg(), num(), num()
local name, interval, burst = arg(), num(), num()

local entry = live(P, key, now)
local tats = entry and entry.tats or {}
local result, tat = gcra(tats[name], now, interval, burst, 1)
touch(P, key, entry, now, max_keys, {})
if result[1] == 1 then
  store_tats(base, tats, {{name, tat}}, now)
end
expire_entry(base, entry and entry.horizon, tats, now)
return result
