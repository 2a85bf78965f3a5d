-- A tweet or a repost out of one source list (feed.scripts.SourceRemove).
-- KEYS: the source list, its reposts hash. ARGV: tweet id, '1' to remove only a repost
-- entry. Returns the removed entry's score, or false.
local src, rp, tweet = KEYS[1], KEYS[2], ARGV[1]
local score = redis.call('ZSCORE', src, tweet)
if not score then return false end
if ARGV[2] == '1' and not redis.call('HEXISTS', rp, tweet) then return false end
redis.call('ZREM', src, tweet)
redis.call('HDEL', rp, tweet)
return score
