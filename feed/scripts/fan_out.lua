-- One tweet into many feeds (feed.scripts.FanOut).
-- KEYS: the feeds. ARGV: tweet id, score, maxlen. Returns the 1-based positions of the feeds
-- the tweet newly entered (a re-run adds nothing: the live streams hear of each entry once).
-- The trim is one ZREMRANGEBYRANK without lib/trim.lua's ZCARD test: a range that is empty
-- (a feed not full) costs Redis next to nothing, and a full feed, the common case of a
-- fan-out to active users, is then two calls instead of three (bench/README.md, fan-out).
local tweet, score = ARGV[1], ARGV[2]
local stop = -(tonumber(ARGV[3]) + 1)
local added = {}
for i, feed in ipairs(KEYS) do
  if redis.call('ZADD', feed, score, tweet) == 1 then added[#added + 1] = i end
  redis.call('ZREMRANGEBYRANK', feed, 1, stop)
end
return added
