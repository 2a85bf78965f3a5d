-- include: lib/trim.lua
-- include: lib/prune.lua
-- include: lib/repost_entry.lua
-- A repost into many feeds (feed.scripts.RepostAdd); the caller leaves out the feeds of
-- users who follow the tweet's author.
-- KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id, score (the repost's time),
-- reposter id, maxlen. Returns the 1-based positions (pairs) of the feeds the entry entered
-- or moved up in.
local tweet, score, reposter = ARGV[1], ARGV[2], ARGV[3]
local maxlen = tonumber(ARGV[4])
local added = {}
for i = 1, #KEYS, 2 do
  local feed, rp = KEYS[i], KEYS[i + 1]
  if repost_entry(feed, rp, tweet, score, reposter) == 1 then
    trim(feed, maxlen)
    prune(feed, rp, maxlen)
    added[#added + 1] = (i + 1) / 2
  end
end
return added
