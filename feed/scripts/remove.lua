-- One tweet out of many feeds (feed.scripts.Remove).
-- KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id. Returns how many feeds had it.
local tweet = ARGV[1]
local n = 0
for i = 1, #KEYS, 2 do
  n = n + redis.call('ZREM', KEYS[i], tweet)
  redis.call('HDEL', KEYS[i + 1], tweet)
end
return n
