-- A tweet's body into the tweet-object cache, unless a tombstone is there (feed.scripts.FillBody).
-- KEYS: the body's key. ARGV: version, body, ttl, tombstone. Returns 1 if written, 0 if not.
if redis.call('HGET', KEYS[1], 'v') == ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'b', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
