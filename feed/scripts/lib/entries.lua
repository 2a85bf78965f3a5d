-- The replies of the read scripts are ONE JSON text, put together here, which the client
-- parses at once (feed.merged.replies) instead of hundreds of RESP items.

-- The tweet-object cache's body of a member (feed.objects) when `version` (its format's
-- version) is not '', else null: on a single Redis the bodies ride in the read's round trip
-- (on a cluster they are on other slots).
local function body(member, version)
  if version == '' then return 'null' end
  local b = redis.call('HMGET', TWEET_KEY_PREFIX .. member .. TWEET_KEY_SUFFIX, 'v', 'b')
  if b[1] ~= version or not b[2] then return 'null' end
  return b[2]
end

-- Adds ",id,mark or 0,score,body" to `out` for each entry of `flat` (id, score, ...) but
-- the sentinel, its repost mark read from the hash `marks`.
local function append_entries(out, flat, marks, version)
  for i = 1, #flat, 2 do
    if flat[i] ~= SENTINEL then
      out[#out + 1] = ',' .. flat[i] .. ',' .. (redis.call('HGET', marks, flat[i]) or '0') .. ','
        .. flat[i + 1] .. ',' .. body(flat[i], version)
    end
  end
end
