-- campaigns(now, spec, limit): up to limit campaigns of two or more keys, largest first.
-- Arguments: prefix, now, spec block, limit. Returns JSON: a list of [root, members, windows].
local P, now = arg(), num()
local spec = read_spec()
local limit = num()

local index = P .. ':camps'
local out, stale = {}, {}
local start = 0
while #out < limit do
  local roots = redis.call('ZREVRANGE', index, start, start + limit - 1)
  if #roots == 0 then
    break
  end
  for _, root in ipairs(roots) do
    local campaign = campaign_at(P, root, spec)
    if #campaign == 0 then
      stale[#stale + 1] = root
    elseif #out < limit then
      out[#out + 1] = campaign
    end
  end
  start = start + limit
end
if #stale > 0 then
  redis.call('ZREM', index, unpack(stale))
end
return cjson.encode(out)
