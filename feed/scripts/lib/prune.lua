-- Drop repost marks whose entry was trimmed away; runs only when the hash outgrew the feed.
local function prune(feed, rp, maxlen)
  if redis.call('HLEN', rp) > maxlen then
    for _, member in ipairs(redis.call('HKEYS', rp)) do
      if not redis.call('ZSCORE', feed, member) then redis.call('HDEL', rp, member) end
    end
  end
end
