-- include: lib/trim.lua
-- include: lib/prune.lua
-- include: lib/repost_entry.lua
-- Entries into one feed or one source list (feed.scripts.Merge).
-- KEYS: the sorted set, its marks hash. ARGV: maxlen, only_if_complete ('1'/'0'), then
-- triples (tweet id, score, mark or ''). An own entry (no mark) replaces a repost entry of
-- the same tweet; a repost entry follows repost_entry's rules. Returns the number of
-- entries added or moved, or -1 when only_if_complete and the set has no sentinel.
local feed, rp = KEYS[1], KEYS[2]
local maxlen = tonumber(ARGV[1])
if ARGV[2] == '1' and not redis.call('ZSCORE', feed, SENTINEL) then return -1 end
local n = 0
for i = 3, #ARGV, 3 do
  local member, score, reposter = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if reposter == '' then
    n = n + redis.call('ZADD', feed, score, member)
    redis.call('HDEL', rp, member)
  else
    n = n + repost_entry(feed, rp, member, score, reposter)
  end
end
trim(feed, maxlen)
prune(feed, rp, maxlen)
return n
