-- campaign_of(key, now, spec): the campaign the key belongs to, counting nothing.
-- Arguments: prefix, key, now, spec block. Returns JSON: {} or [root, members, windows].
local P, key, now = arg(), arg(), num()
local spec = read_spec()

local root = root_of(P, key, spec.horizon_ms)
if not root then
  return '{}'
end
return cjson.encode(campaign_at(P, root, spec))
