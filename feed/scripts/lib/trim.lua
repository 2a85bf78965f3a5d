-- Trim a feed (or a source list) to its newest `maxlen` real entries. Rank 0 is the sentinel
-- (score 0, the lowest) of a complete one and is kept; a key without it keeps one extra
-- entry, harmlessly, until the read that rebuilds it.
local function trim(feed, maxlen)
  if redis.call('ZCARD', feed) > maxlen + 1 then redis.call('ZREMRANGEBYRANK', feed, 1, -(maxlen + 1)) end
end
