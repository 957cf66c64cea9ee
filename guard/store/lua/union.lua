-- union_coverage(keys, window, now, spec): distinct cells of several keys together.
-- Arguments: prefix, now, spec block, window number, then the keys (count, then each).
local P, now = arg(), num()
local spec = read_spec()
local w = num()

local hlls, requests = {}, 0
for _ = 1, num() do
  local key = arg()
  local entry = live(P, key, now)
  if entry and entry.layout == spec.layout then
    local r, _, _, slots = scan_window(key_base(P, key) .. ':w' .. w, spec.slots[w], spec.epoch[w])
    requests = requests + r
    for _, h in ipairs(slots) do
      hlls[#hlls + 1] = h
    end
  end
end
if requests == 0 then
  return 0
end
return math.min(pfcount(P, hlls), requests)
