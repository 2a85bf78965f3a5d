-- Add or refresh a repost entry, never duplicating: a tweet in the feed by its own right
-- (no mark) is left alone; a repost entry moves up to a newer repost and takes its mark.
-- Returns 1 when the feed changed.
local function repost_entry(feed, rp, member, score, reposter)
  local current = redis.call('ZSCORE', feed, member)
  if current then
    if not redis.call('HEXISTS', rp, member) or tonumber(current) >= tonumber(score) then return 0 end
  end
  redis.call('ZADD', feed, score, member)
  redis.call('HSET', rp, member, reposter)
  return 1
end
