-- include: lib/viewer.lua
-- A score window of a viewer's feed, for cursor pages (feed.scripts.FeedWindow).
-- KEYS: as feed_page.lua. ARGV: upper, lower (ZRANGEBYSCORE syntax), count, '1' for oldest
-- first, body version or ''. Returns false when the feed is not complete, else the header
-- (lib/viewer.lua) with the entries, and their cached bodies (as feed_page.lua's).
local feed, rp, src, hide, excl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local upper, lower, count, version = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local out = viewer_header(feed, src, hide, excl, false)
if not out then return false end
local flat
if ARGV[4] == '1' then
  flat = redis.call('ZRANGEBYSCORE', feed, lower, upper, 'WITHSCORES', 'LIMIT', 0, count)
else
  flat = redis.call('ZREVRANGEBYSCORE', feed, upper, lower, 'WITHSCORES', 'LIMIT', 0, count)
end
local bodies = {}
append_entries(out, flat, rp, version, bodies)
out[#out + 1] = ']'
return with_bodies(table.concat(out), bodies)
