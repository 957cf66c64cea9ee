-- join(key, links, spec, min keys): join the key to a campaign of at least min keys keys that
-- owns one of the link features, claiming none of them. Arguments: prefix, key, now, max
-- campaigns, min keys, spec block, then the link features (count, then each). Returns JSON: {}
-- or [root, members, windows] (as campaign_of).
local P, key, now = arg(), arg(), num()
local max_camps = num()
local min_keys = num()
local spec = read_spec()
local links = {}
for j = 1, num() do
  links[j] = arg()
end

local root = join(P, key, links, spec, max_camps, min_keys)
return cjson.encode(campaign_at(P, root, spec))
