-- The replies of the read scripts are ONE JSON text, put together here, which the client
-- parses at once (feed.merged.replies) instead of hundreds of RESP items, followed by the
-- cached tweet bodies it refers to, each its own bulk string: `{text, body 1, body 2, ...}`.
-- The bodies are not spliced into the text: building the reply string in Lua (the entry's
-- concatenation, then table.concat's) cost the server ~4 µs per KB of bodies (a page of 20
-- tweets with 4 images each: 93 µs against 23 µs without images); handed over as HMGET
-- read them, 35 µs against 17 µs.

-- The tweet-object cache's body of a member (feed.objects) when `version` (its format's
-- version) is not '', appended to `bodies`: its number there (1-based), else null. On a
-- single Redis the bodies ride in the read's round trip (on a cluster they are on other slots).
local function body(member, version, bodies)
  if version == '' then return 'null' end
  local b = redis.call('HMGET', TWEET_KEY_PREFIX .. member .. TWEET_KEY_SUFFIX, 'v', 'b')
  if b[1] ~= version or not b[2] then return 'null' end
  bodies[#bodies + 1] = b[2]
  return #bodies
end

-- Adds ",id,mark or 0,score,body number or null" to `out` for each entry of `flat` (id,
-- score, ...) but the sentinel, its repost mark read from the hash `marks`, its body to `bodies`.
local function append_entries(out, flat, marks, version, bodies)
  for i = 1, #flat, 2 do
    if flat[i] ~= SENTINEL then
      out[#out + 1] = ',' .. flat[i] .. ',' .. (redis.call('HGET', marks, flat[i]) or '0') .. ','
        .. flat[i + 1] .. ',' .. body(flat[i], version, bodies)
    end
  end
end

-- The reply: the JSON text, then the bodies it numbers.
local function with_bodies(text, bodies)
  local reply = {text}
  for i = 1, #bodies do reply[i + 1] = bodies[i] end
  return reply
end
