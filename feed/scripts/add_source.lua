-- After following a merged author (feed.scripts.AddSource), only for a complete feed: adds
-- the source and drops the entries other reposts brought in for the author's tweets (the
-- author's list now shows them by their own right).
-- KEYS: feed, reposts, sources. ARGV: the followed merged author, then their tweet ids.
-- Returns -1 for a feed not built, else the number of entries dropped.
local feed, rp, src = KEYS[1], KEYS[2], KEYS[3]
if not redis.call('ZSCORE', feed, SENTINEL) then return -1 end
redis.call('SADD', src, ARGV[1])
local n = 0
for i = 2, #ARGV do
  if redis.call('HEXISTS', rp, ARGV[i]) == 1 then
    n = n + redis.call('ZREM', feed, ARGV[i])
    redis.call('HDEL', rp, ARGV[i])
  end
end
return n
