-- link(key, links, spec, min keys): link the key through features it has shown as a habit
-- (min keys 0), or join it to a campaign of at least min keys keys that owns one of them,
-- claiming none (a key's first request); counting nothing. Arguments: prefix, key, now, max
-- campaigns, min keys, spec block, then the link features (count, then each). Returns JSON:
-- {} or [root, members, windows] (as campaign_of).
local P, key, now = arg(), arg(), num()
local max_camps = num()
local min_keys = num()
local spec = read_spec()
local links = {}
for j = 1, num() do
  links[j] = arg()
end

local root = link(P, key, links, spec, max_camps, min_keys)
return cjson.encode(campaign_at(P, root, spec))
