-- A merged author into one feed's sources (feed.scripts.AddOneSource), run as a batch over
-- many feeds' slots on the upward crossing. KEYS: the feed's sources set. ARGV: the author.
return redis.call('SADD', KEYS[1], ARGV[1])
