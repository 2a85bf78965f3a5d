-- include: lib/entries.lua
-- A source list's part of a page (source_read.lua, or feed_page.lua on a single Redis).

-- The list's newest entries, ranks 0..stop, only those at or above `floor` (a score; ''
-- for all): older ones are outranked by the feed's own entries and cannot make the page.
local function source_top(src, stop, floor)
  if floor == '' then return redis.call('ZREVRANGE', src, 0, stop, 'WITHSCORES') end
  return redis.call('ZREVRANGEBYSCORE', src, '+inf', floor, 'WITHSCORES', 'LIMIT', 0, tonumber(stop) + 1)
end

-- The list's entries `flat` (id, score, ...) as the JSON text [count, not-for-this-viewer
-- count, id, author or 0, score, body number or null, ...], the bodies added to `bodies`
-- (lib/entries.lua). `skip`: the viewer, their sources and
-- excluded users (a repost of their tweets is not for the viewer); `hidden`: this list's
-- "tweet:score" entries hidden for the viewer. The second number makes the merged count exact.
local function source_page(src, rp, flat, skip, hidden, version, bodies)
  local excluded, counted = 0, {}
  local marks = redis.call('HGETALL', rp)
  for j = 1, #marks, 2 do
    if skip[marks[j + 1]] and redis.call('ZSCORE', src, marks[j]) then
      excluded = excluded + 1
      counted[marks[j]] = true
    end
  end
  for _, entry in ipairs(hidden) do
    local tweet, score = string.match(entry, '^(%d+):(%d+)$')
    if tweet and not counted[tweet] then
      local current = redis.call('ZSCORE', src, tweet)
      if current and tonumber(current) == tonumber(score) then
        excluded = excluded + 1
        counted[tweet] = true
      end
    end
  end
  local out = {'[' .. (redis.call('ZCARD', src) - 1) .. ',' .. excluded}
  append_entries(out, flat, rp, version, bodies)
  out[#out + 1] = ']'
  return table.concat(out)
end
