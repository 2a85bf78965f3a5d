-- include: lib/viewer.lua
-- include: lib/source.lua
-- A page of a viewer's feed (feed.scripts.FeedPage).
-- KEYS: feed, reposts, sources, hidden, excluded (one slot). ARGV: 'partial' or '', start,
-- stop (ranks), body version or '', then the viewer's id to read the sources' lists in this
-- call too (a single Redis, where every key is on the one server; a cluster reads them by
-- source_read.lua, one call per list's slot) or ''. With sources the page is merged in
-- Python, so ranks 0..stop are returned.
-- Returns false when the feed is not complete; else the header (lib/viewer.lua) with the
-- entries, or, when reading the sources' lists and there are some, an array of the header
-- followed by [source, its page (source_page) or false for a list to rebuild] per source;
-- either JSON text followed by the bodies it numbers (lib/entries.lua), one list for all.
local feed, rp, src, hide, excl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local start, version, viewer = ARGV[2], ARGV[4], ARGV[5]
local stop = tonumber(ARGV[3])
local out, sources, hidden, excluded = viewer_header(feed, src, hide, excl, ARGV[1] == 'partial')
if not out then return false end
if #sources > 0 then start = 0 end
local flat = redis.call('ZREVRANGE', feed, start, stop, 'WITHSCORES')
local bodies = {}
append_entries(out, flat, rp, version, bodies)
out[#out + 1] = ']'
if viewer == '' or #sources == 0 then return with_bodies(table.concat(out), bodies) end
-- Source entries older than the feed's own last entry of the page cannot make it (the
-- same rule as feed.merged.reads' for source_read.lua).
local floor = ''
if #flat == 2 * (stop + 1) and flat[#flat - 1] ~= SENTINEL then floor = flat[#flat] end
local skip = {[viewer] = true}
for _, s in ipairs(sources) do skip[s] = true end
for _, e in ipairs(excluded) do skip[e] = true end
local hidden_of = {}
for _, m in ipairs(hidden) do
  local tweet, s, score = string.match(m, '^(%d+):(%d+):(%d+)$')
  if tweet then
    hidden_of[s] = hidden_of[s] or {}
    table.insert(hidden_of[s], tweet .. ':' .. score)
  end
end
local reply = {'[' .. table.concat(out)}
for _, s in ipairs(sources) do
  local list, marks = SOURCE_KEY_PREFIX .. s .. SOURCE_KEY_SUFFIX, SOURCE_KEY_PREFIX .. s .. SOURCE_REPOSTS_KEY_SUFFIX
  if redis.call('ZSCORE', list, SENTINEL) then
    local page = source_page(list, marks, source_top(list, stop, floor), skip, hidden_of[s] or {}, version, bodies)
    reply[#reply + 1] = ',[' .. s .. ',' .. page .. ']'
  else
    reply[#reply + 1] = ',[' .. s .. ',false]'
  end
end
reply[#reply + 1] = ']'
return with_bodies(table.concat(reply), bodies)
