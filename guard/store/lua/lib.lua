-- Helpers shared by every guard script: guard/store/redis.py prepends this file to each one.
--
-- Key names (P is the store's prefix). A key's own data shares the hash tag {P:k:<key>}:
--   {P:k:<key>}           hash: last (latest activity), hz (horizon of its windows),
--                         l (the spec's layout tag "<fingerprint>;<slots>,<slots>,..."), ms
--   {P:k:<key>}:t         hash: rate limit name -> GCRA theoretical arrival time
--   {P:k:<key>}:r         list: ring of request records, newest first
--   {P:k:<key>}:m, :o     hash of metadata (JSON values) and zset of its write order
--   {P:k:<key>}:w<i>      hash of window i: e (newest bucket number), r<s> i<s> o<s> u<s>
--                         (slot s counters: requests, input and output tokens, suspect
--                         requests)
--   {P:k:<key>}:w<i>:<s>  HyperLogLog of slot s of window i
-- A campaign's data lives under {P:c:<root>} with the same window layout plus n (members).
-- Global: P:keys (zset key -> activity sequence), P:seq, P:camps (zset root -> size),
-- P:o:<feature> (the feature's owner key), P:p:<key> (union-find parent), and {P}:tmp, which
-- a union of over 512 HyperLogLogs merges into and deletes within the same script.
--
-- Times come from the caller, never from Redis, so that a replay on a simulated clock behaves
-- like the memory store. Numbers that must survive exactly (times) are stored and returned as
-- "%.17g" strings: Lua turns a number reply into an integer, and tostring keeps 14 digits.
--
-- Arguments come as one JSON array in ARGV[1] (binary ones, ring records, as further ARGV), and
-- the larger replies as JSON: one string each way is much cheaper for the client to write and
-- read than dozens of RESP elements.

local EPSILON = 1e-9
local MAX_LIMITS = 16
local MAX_PATH = 64

local function fmt(x)
  return string.format('%.17g', x)
end

local A = cjson.decode(ARGV[1])
local cursor = 0
local function arg()
  cursor = cursor + 1
  return A[cursor]
end
local function num()
  return tonumber(arg())
end

-- The spec block: layout tag, horizon, then slots, TTL (ms) and current bucket per window.
local function read_spec()
  local spec = {layout = arg(), horizon = num(), slots = {}, ttl = {}, epoch = {}}
  spec.horizon_ms = math.max(1, math.ceil(spec.horizon * 1000))
  for w = 1, num() do
    spec.slots[w] = num()
    spec.ttl[w] = num()
    spec.epoch[w] = num()
  end
  return spec
end

local function key_base(P, key)
  return '{' .. P .. ':k:' .. key .. '}'
end

local function camp_base(P, root)
  return '{' .. P .. ':c:' .. root .. '}'
end

-- Windows ------------------------------------------------------------------------------------

local function layout_slots(layout)
  local slots = {}
  local tail = string.match(layout, ';(.*)$')
  if tail then
    for s in string.gmatch(tail, '%d+') do
      slots[#slots + 1] = tonumber(s)
    end
  end
  return slots
end

local function drop_windows(base, layout)
  if not layout then
    return
  end
  local slots = layout_slots(layout)
  for w = 1, #slots do
    local wh = base .. ':w' .. w
    local names = {wh}
    for s = 0, slots[w] - 1 do
      names[#names + 1] = wh .. ':' .. s
    end
    redis.call('DEL', unpack(names))
  end
end

-- Make bucket E the newest of window hash wh (S slots), emptying the slots that fall out.
-- A time before the newest bucket counts in the newest bucket, as in guard.sketches.windows.
-- Reads slide windows too (not creating any), as the memory store's do: the newest bucket is
-- the latest one any call asked about.
local function advance(wh, S, E, create)
  local cur = tonumber(redis.call('HGET', wh, 'e'))
  if cur == nil then
    if create then
      redis.call('HSET', wh, 'e', E)
    end
    return E
  end
  if E <= cur then
    return cur
  end
  for e = cur + 1, math.min(E, cur + S) do
    local s = e % S
    redis.call('HDEL', wh, 'r' .. s, 'i' .. s, 'o' .. s, 'u' .. s)
    redis.call('DEL', wh .. ':' .. s)
  end
  redis.call('HSET', wh, 'e', E)
  return E
end

local function hash_map(flat)
  local map = {}
  for j = 1, #flat, 2 do
    map[flat[j]] = flat[j + 1]
  end
  return map
end

-- Totals of a window hash's slot fields, the HyperLogLogs of slots with requests, and the
-- requests of the S - 1 full buckets before the newest, E, oldest first (buckets E - S + 1 to
-- E - 1, as guard.sketches.windows reports them). Every slot field present is live: advance()
-- deletes a slot's fields as it falls out. (Fields are told apart by their first letter so as
-- to format no slot number: on the hot path that costs more than the Redis calls.)
local function totals(wh, f, S, E)
  local r, i, o, u, hlls, per = 0, 0, 0, 0, {}, {}
  for name, value in pairs(f) do
    local c = string.byte(name)
    if c == 114 then -- r<s>
      local n = tonumber(value)
      r = r + n
      if n > 0 then
        local s = string.sub(name, 2)
        hlls[#hlls + 1] = wh .. ':' .. s
        per[tonumber(s)] = n
      end
    elseif c == 105 then -- i<s>
      i = i + tonumber(value)
    elseif c == 111 then -- o<s>
      o = o + tonumber(value)
    elseif c == 117 then -- u<s>
      u = u + tonumber(value)
    end
  end
  local buckets = {}
  for k = 1, S - 1 do
    buckets[k] = per[(E + k) % S] or 0
  end
  return r, i, o, hlls, buckets, u
end

-- One window's live slots as of bucket E: totals(), the window slid to E first.
local function scan_window(wh, S, E)
  E = advance(wh, S, E, false)
  return totals(wh, hash_map(redis.call('HGETALL', wh)), S, E)
end

-- Distinct items in the union of HyperLogLogs (a temporary merge past unpack's limits).
local function pfcount(P, hlls)
  if #hlls == 0 then
    return 0
  end
  if #hlls <= 512 then
    return redis.call('PFCOUNT', unpack(hlls))
  end
  local tmp = '{' .. P .. '}:tmp'
  for j = 1, #hlls, 512 do
    redis.call('PFMERGE', tmp, unpack(hlls, j, math.min(j + 511, #hlls)))
  end
  local n = redis.call('PFCOUNT', tmp)
  redis.call('DEL', tmp)
  return n
end

-- Counts of windows kept for another spec: zeros and no buckets, as the memory store has it.
local function zeros(spec)
  local out = {}
  for w = 1, #spec.slots do
    out[w] = {0, 0, 0, 0, {}, 0}
  end
  return out
end

-- Every window's {distinct, requests, input, output, full buckets' requests, suspect};
-- distinct never exceeds requests.
local function counts(P, base, spec)
  local out = {}
  for w = 1, #spec.slots do
    local r, i, o, hlls, b, u = scan_window(base .. ':w' .. w, spec.slots[w], spec.epoch[w])
    out[w] = {math.min(pfcount(P, hlls), r), r, i, o, b, u}
  end
  return out
end

-- Count one request in every window and return their counts as counts() would, in as few
-- calls as the hot path allows: one read of the window, then only what changes. A slot's
-- HyperLogLog exists exactly when the slot has requests, and a window's TTL only needs
-- renewing when a new slot starts (it then outlives every live slot).
local function add(P, base, spec, cell, tokens)
  local out = {}
  for w = 1, #spec.slots do
    local wh = base .. ':w' .. w
    local S, E = spec.slots[w], spec.epoch[w]
    local f = hash_map(redis.call('HGETALL', wh))
    local cur = tonumber(f.e)
    if cur == nil then
      cur = E
    elseif E > cur then
      for e = cur + 1, math.min(E, cur + S) do
        local s = tostring(e % S)
        if f['r' .. s] or f['i' .. s] or f['o' .. s] or f['u' .. s] then
          redis.call('HDEL', wh, 'r' .. s, 'i' .. s, 'o' .. s, 'u' .. s)
          f['r' .. s], f['i' .. s], f['o' .. s], f['u' .. s] = nil, nil, nil, nil
        end
        redis.call('DEL', wh .. ':' .. s)
      end
      cur = E
    end
    local s = tostring(cur % S)
    local hll, rs, is = wh .. ':' .. s, 'r' .. s, 'i' .. s
    local before = tonumber(f[rs]) or 0
    f[rs], f[is] = before + 1, (tonumber(f[is]) or 0) + tokens
    redis.call('PFADD', hll, cell)
    redis.call('HSET', wh, 'e', cur, rs, f[rs], is, f[is])
    if before == 0 then
      redis.call('PEXPIRE', wh, spec.ttl[w])
      redis.call('PEXPIRE', hll, spec.ttl[w])
    end
    local r, i, o, hlls, b, u = totals(wh, f, S, cur)
    out[w] = {math.min(pfcount(P, hlls), r), r, i, o, b, u}
  end
  return out
end

-- Add src's live buckets to dst's, slot by slot: registers by PFMERGE, counters by sum.
local function merge_windows(dst, src, spec)
  for w = 1, #spec.slots do
    local sh = src .. ':w' .. w
    local f = hash_map(redis.call('HGETALL', sh))
    local se = tonumber(f.e)
    if se ~= nil then
      local S = spec.slots[w]
      local dh = dst .. ':w' .. w
      local E = advance(dh, S, math.max(se, spec.epoch[w]), true)
      for s = 0, S - 1 do
        if se - ((se - s) % S) > E - S then
          local r = tonumber(f['r' .. s]) or 0
          if r > 0 then
            redis.call('PFMERGE', dh .. ':' .. s, sh .. ':' .. s)
            redis.call('PEXPIRE', dh .. ':' .. s, spec.ttl[w])
          end
          for _, c in ipairs({'r', 'i', 'o', 'u'}) do
            local v = tonumber(f[c .. s]) or 0
            if v ~= 0 then
              redis.call('HINCRBY', dh, c .. s, v)
            end
          end
        end
      end
      redis.call('PEXPIRE', dh, spec.ttl[w])
    end
  end
end

-- Keys: liveness, activity, expiry ------------------------------------------------------------

local function read_tats(base)
  local flat = redis.call('HGETALL', base .. ':t')
  local tats = {}
  for j = 1, #flat, 2 do
    tats[flat[j]] = tonumber(flat[j + 1])
  end
  return tats
end

local function max_tat(tats)
  local m = nil
  for _, t in pairs(tats) do
    if m == nil or t > m then
      m = t
    end
  end
  return m
end

-- Worthless: its windows silent past their horizon and no rate limit still recovering.
local function is_expired(entry, now)
  if entry.horizon and now - entry.last <= entry.horizon then
    return false
  end
  local m = max_tat(entry.tats)
  return m == nil or m <= now
end

local function purge(P, key)
  local base = key_base(P, key)
  drop_windows(base, redis.call('HGET', base, 'l') or nil)
  redis.call('DEL', base, base .. ':t', base .. ':r', base .. ':m', base .. ':o')
  redis.call('ZREM', P .. ':keys', key)
end

local function read_entry(base)
  local h = redis.call('HMGET', base, 'last', 'hz', 'l')
  if not h[1] then
    return nil
  end
  return {last = tonumber(h[1]), horizon = tonumber(h[2]), layout = h[3] or nil,
          tats = read_tats(base)}
end

-- The key's entry unless absent or expired at now (an expired one is deleted).
local function live(P, key, now)
  local entry = read_entry(key_base(P, key))
  if entry and is_expired(entry, now) then
    purge(P, key)
    return nil
  end
  return entry
end

-- Mark activity: latest time, position in the activity index (evicting the least recent
-- keys beyond max_keys), plus extra fields for the entry's hash.
local function touch(P, key, entry, now, max_keys, fields)
  local base = key_base(P, key)
  local last = now
  if entry and entry.last > now then
    last = entry.last
  end
  redis.call('HSET', base, 'last', fmt(last), unpack(fields))
  local index = P .. ':keys'
  redis.call('ZADD', index, redis.call('INCR', P .. ':seq'), key)
  local n = redis.call('ZCARD', index)
  if n > max_keys then
    for _, victim in ipairs(redis.call('ZRANGE', index, 0, n - max_keys - 1)) do
      purge(P, victim)
    end
  end
end

-- Real TTLs bound Redis memory: as long as the windows or a recovering rate limit matter.
local function expire_entry(base, horizon, tats, now)
  local ms = 1
  if horizon then
    ms = math.max(ms, math.ceil(horizon * 1000))
  end
  local m = max_tat(tats)
  if m and m > now then
    ms = math.max(ms, math.ceil((m - now) * 1000))
  end
  for _, suffix in ipairs({'', ':t', ':r', ':m', ':o'}) do
    redis.call('PEXPIRE', base .. suffix, ms)
  end
end

-- Rate limits: GCRA, as guard.sketches.gcra -----------------------------------------------------

local function gcra(tat, now, interval, burst, cost)
  local start = now
  if tat ~= nil and tat >= now then
    start = tat
  end
  local new_tat = start + cost * interval
  local allow_at = new_tat - burst * interval
  if now + EPSILON < allow_at then
    return {0, fmt(allow_at - now), 0}, start
  end
  local remaining = math.floor((now - allow_at) / interval + EPSILON)
  if remaining < 0 then
    remaining = 0
  end
  return {1, '0', remaining}, new_tat
end

-- Check every limit; all are consumed if all allow, none otherwise (refused requests are not
-- served, so they must not eat the other limits' budgets; those report what they still allow).
local function check(tats, limits, now)
  local results, new = {}, {}
  local allowed = true
  for j, l in ipairs(limits) do
    local result, tat = gcra(tats[l.name], now, l.interval, l.burst, 1)
    results[j] = result
    new[j] = {l.name, tat}
    if result[1] == 0 then
      allowed = false
    end
  end
  if allowed then
    return results, new
  end
  for j, l in ipairs(limits) do
    if results[j][1] == 1 then
      results[j] = (gcra(tats[l.name], now, l.interval, l.burst, 0))
    end
  end
  return results, {}
end

-- Store new arrival times, keeping at most MAX_LIMITS: recovered ones go first, then the
-- earliest to recover.
local function store_tats(base, tats, new, now)
  local fields, fresh = {}, {}
  for _, pair in ipairs(new) do
    fields[#fields + 1] = pair[1]
    fields[#fields + 1] = fmt(pair[2])
    tats[pair[1]] = pair[2]
    fresh[pair[1]] = true
  end
  local th = base .. ':t'
  redis.call('HSET', th, unpack(fields))
  local n = 0
  for _ in pairs(tats) do
    n = n + 1
  end
  if n <= MAX_LIMITS then
    return
  end
  for name, t in pairs(tats) do
    if t <= now and not fresh[name] then
      redis.call('HDEL', th, name)
      tats[name] = nil
      n = n - 1
    end
  end
  while n > MAX_LIMITS do
    local oldest, at = nil, nil
    for name, t in pairs(tats) do
      if not fresh[name] and (at == nil or t < at) then
        oldest, at = name, t
      end
    end
    if oldest == nil then
      break
    end
    redis.call('HDEL', th, oldest)
    tats[oldest] = nil
    n = n - 1
  end
end

-- Campaigns: union-find over keys ------------------------------------------------------------

local function parent_key(P, key)
  return P .. ':p:' .. key
end

-- The key's root, compressing the path; a key never linked becomes its own root.
local function find(P, key, ttl)
  local path = {}
  local node = key
  while true do
    local pk = parent_key(P, node)
    local up = redis.call('GET', pk)
    if not up then
      redis.call('SET', pk, node, 'PX', ttl)
      break
    end
    if up == node then
      redis.call('PEXPIRE', pk, ttl)
      break
    end
    if #path >= MAX_PATH then
      break
    end
    path[#path + 1] = node
    node = up
  end
  for _, member in ipairs(path) do
    redis.call('SET', parent_key(P, member), node, 'PX', ttl)
  end
  return node
end

local function root_of(P, key, ttl)
  if redis.call('EXISTS', parent_key(P, key)) == 0 then
    return nil
  end
  return find(P, key, ttl)
end

-- A single key's windows, if kept for this spec, seed or join a campaign's.
local function merge_member(P, dst, key, spec)
  local base = key_base(P, key)
  if redis.call('HGET', base, 'l') == spec.layout then
    merge_windows(dst, base, spec)
  end
end

-- Join two roots: the larger campaign absorbs the smaller, windows included.
local function union(P, a, b, spec, max_camps)
  local ttl = spec.horizon_ms
  local ca, cb = camp_base(P, a), camp_base(P, b)
  local ga = redis.call('HMGET', ca, 'n', 'l')
  local gb = redis.call('HMGET', cb, 'n', 'l')
  local size_a, size_b = tonumber(ga[1]) or 1, tonumber(gb[1]) or 1
  if size_a < size_b then
    a, b, ca, cb, ga, gb, size_a, size_b = b, a, cb, ca, gb, ga, size_b, size_a
  end
  redis.call('SET', parent_key(P, b), a, 'PX', ttl)
  if not ga[1] then
    merge_member(P, ca, a, spec)
  elseif ga[2] ~= spec.layout then
    drop_windows(ca, ga[2] or nil)
  end
  if gb[1] then
    if gb[2] == spec.layout then
      merge_windows(ca, cb, spec)
    end
    drop_windows(cb, gb[2] or nil)
    redis.call('DEL', cb)
    redis.call('ZREM', P .. ':camps', b)
  else
    merge_member(P, ca, b, spec)
  end
  local size = size_a + size_b
  redis.call('HSET', ca, 'n', size, 'l', spec.layout)
  redis.call('PEXPIRE', ca, ttl)
  local index = P .. ':camps'
  redis.call('ZADD', index, size, a)
  local n = redis.call('ZCARD', index)
  if n > max_camps then
    redis.call('ZREMRANGEBYRANK', index, 0, n - max_camps - 1)
  end
  return a
end

-- Each feature is owned by the first key seen with it; the key joins each owner's campaign.
-- With min_keys above 0 the key claims no feature and joins only a campaign of at least that
-- many keys (a key's first request: guard.campaigns).
local function link(P, key, links, spec, max_camps, min_keys)
  local ttl = spec.horizon_ms
  local root = find(P, key, ttl)
  for _, feature in ipairs(links) do
    local fk = P .. ':o:' .. feature
    local owner
    if min_keys > 0 then
      owner = redis.call('GET', fk)
    else
      owner = redis.call('SET', fk, key, 'NX', 'GET', 'PX', ttl)
      if owner then
        redis.call('PEXPIRE', fk, ttl)
      end
    end
    if owner and owner ~= key then
      local other = find(P, owner, ttl)
      if other ~= root then
        local size = min_keys > 0 and tonumber(redis.call('HGET', camp_base(P, other), 'n'))
        if min_keys == 0 or (size and size >= 2 and size >= min_keys) then
          root = union(P, root, other, spec, max_camps)
        end
      end
    end
  end
  return root
end

-- {root, members, windows} of the campaign rooted at root, or {} if it has under two keys.
local function campaign_at(P, root, spec)
  local cb = camp_base(P, root)
  local g = redis.call('HMGET', cb, 'n', 'l')
  local size = tonumber(g[1])
  if size == nil or size < 2 then
    return {}
  end
  if g[2] == spec.layout then
    return {root, size, counts(P, cb, spec)}
  end
  return {root, size, zeros(spec)}
end
