-- include: lib/source.lua
-- A source list's part of a viewer's page or window (feed.scripts.SourceRead).
-- KEYS: the source list, its reposts hash. ARGV: body version or '', then the mode 'rank'
-- with stop, floor (a score: only entries at or above it can make the page; '' for all), or
-- 'window' with upper, lower, count, '1' for oldest first; then the viewer's id, the number
-- k of skipped authors, their k ids (the viewer's sources, excluded users), then the
-- viewer's hidden "tweet:score" entries of this list.
-- Returns false for a list without its sentinel (rebuild it), else source_page's text and
-- the bodies it numbers (lib/entries.lua).
local src, rp = KEYS[1], KEYS[2]
if not redis.call('ZSCORE', src, SENTINEL) then return false end
local version = ARGV[1]
local i, flat
if ARGV[2] == 'rank' then
  flat = source_top(src, ARGV[3], ARGV[4])
  i = 5
else
  if ARGV[6] == '1' then
    flat = redis.call('ZRANGEBYSCORE', src, ARGV[4], ARGV[3], 'WITHSCORES', 'LIMIT', 0, ARGV[5])
  else
    flat = redis.call('ZREVRANGEBYSCORE', src, ARGV[3], ARGV[4], 'WITHSCORES', 'LIMIT', 0, ARGV[5])
  end
  i = 7
end
local skip = {[ARGV[i]] = true}
local k = tonumber(ARGV[i + 1])
for j = i + 2, i + 1 + k do skip[ARGV[j]] = true end
local hidden = {}
for j = i + 2 + k, #ARGV do hidden[#hidden + 1] = ARGV[j] end
local bodies = {}
return with_bodies(source_page(src, rp, flat, skip, hidden, version, bodies), bodies)
