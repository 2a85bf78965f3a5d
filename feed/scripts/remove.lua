-- One tweet out of many feeds (feed.scripts.Remove).
-- KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id. Returns the 1-based positions
-- (pairs) of the feeds that had it.
local tweet = ARGV[1]
local removed = {}
for i = 1, #KEYS, 2 do
  if redis.call('ZREM', KEYS[i], tweet) == 1 then removed[#removed + 1] = (i + 1) / 2 end
  redis.call('HDEL', KEYS[i + 1], tweet)
end
return removed
