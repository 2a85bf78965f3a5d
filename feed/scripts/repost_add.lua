-- include: lib/trim.lua
-- include: lib/prune.lua
-- include: lib/repost_entry.lua
-- A repost into many feeds (feed.scripts.RepostAdd); the caller leaves out the feeds of
-- users who follow the tweet's author.
-- KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id, score (the repost's time),
-- reposter id, maxlen. Returns the number of feeds changed.
local tweet, score, reposter = ARGV[1], ARGV[2], ARGV[3]
local maxlen = tonumber(ARGV[4])
local n = 0
for i = 1, #KEYS, 2 do
  local feed, rp = KEYS[i], KEYS[i + 1]
  if repost_entry(feed, rp, tweet, score, reposter) == 1 then
    trim(feed, maxlen)
    prune(feed, rp, maxlen)
    n = n + 1
  end
end
return n
