-- Undo a repost in many feeds (feed.scripts.RepostRemove): removes the entry where this
-- reposter brought it in.
-- KEYS: feed, reposts, feed, reposts, ... ARGV: tweet id, reposter id. Returns the 1-based
-- positions (pairs) of the feeds changed, so the caller can put the tweet back for users
-- who still have another reason to see it.
local tweet, reposter = ARGV[1], ARGV[2]
local changed = {}
for i = 1, #KEYS, 2 do
  if redis.call('HGET', KEYS[i + 1], tweet) == reposter then
    redis.call('ZREM', KEYS[i], tweet)
    redis.call('HDEL', KEYS[i + 1], tweet)
    changed[#changed + 1] = (i + 1) / 2
  end
end
return changed
