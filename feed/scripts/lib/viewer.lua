-- include: lib/entries.lua
-- The viewer's side of a read (feed_page.lua, feed_window.lua). Returns false for a feed
-- without its sentinel, unless `partial` (tests inspecting Redis read it as it is); else the
-- reply's start `out`: '[' count, #sources, sources..., #hidden, hidden..., #excluded,
-- excluded... (the hidden and excluded sets are read only when there are sources), and the
-- sources, hidden and excluded lists. The caller appends the entries and the closing ']'.
local function viewer_header(feed, src, hide, excl, partial)
  if not partial and not redis.call('ZSCORE', feed, SENTINEL) then return false end
  local sources = redis.call('SMEMBERS', src)
  local out = {'[' .. (redis.call('ZCARD', feed) - 1) .. ',' .. #sources}
  for _, s in ipairs(sources) do out[#out + 1] = ',' .. s end
  local hidden, excluded = {}, {}
  if #sources > 0 then
    hidden = redis.call('SMEMBERS', hide)
    excluded = redis.call('SMEMBERS', excl)
  end
  for _, members in ipairs({hidden, excluded}) do
    out[#out + 1] = ',' .. #members
    for _, m in ipairs(members) do out[#out + 1] = ',"' .. m .. '"' end
  end
  return out, sources, hidden, excluded
end
