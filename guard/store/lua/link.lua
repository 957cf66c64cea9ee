-- link(key, links, spec): link the key through features it has shown as a habit, counting
-- nothing. Arguments: prefix, key, now, max campaigns, spec block, then the link features
-- (count, then each). Returns JSON: {} or [root, members, windows] (as campaign_of).
local P, key, now = arg(), arg(), num()
local max_camps = num()
local spec = read_spec()
local links = {}
for j = 1, num() do
  links[j] = arg()
end

local root = link(P, key, links, spec, max_camps)
return cjson.encode(campaign_at(P, root, spec))
