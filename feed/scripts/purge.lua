-- After an unfollow (feed.scripts.Purge): the unfollowed user's tweets and the entries
-- their reposts brought in leave one feed.
-- KEYS: feed, reposts. ARGV: the unfollowed user's id, then their tweet ids. Returns the
-- removed tweet ids.
local feed, rp = KEYS[1], KEYS[2]
local unfollowed = ARGV[1]
local removed = {}
for i = 2, #ARGV do
  if redis.call('ZREM', feed, ARGV[i]) == 1 then removed[#removed + 1] = ARGV[i] end
  redis.call('HDEL', rp, ARGV[i])
end
local marks = redis.call('HGETALL', rp)
for i = 1, #marks, 2 do
  if marks[i + 1] == unfollowed then
    if redis.call('ZREM', feed, marks[i]) == 1 then removed[#removed + 1] = marks[i] end
    redis.call('HDEL', rp, marks[i])
  end
end
return removed
