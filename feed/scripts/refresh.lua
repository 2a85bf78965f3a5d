-- After a viewer's follows changed (feed.scripts.Refresh): replaces their hidden and
-- excluded sets and drops excluded users from their sources.
-- KEYS: hidden, excluded, sources (one feed). ARGV: the number n of hidden entries, the n
-- entries, then the excluded users.
local hide, excl, src = KEYS[1], KEYS[2], KEYS[3]
redis.call('DEL', hide, excl)
local n = tonumber(ARGV[1])
for i = 2, n + 1 do redis.call('SADD', hide, ARGV[i]) end
for i = n + 2, #ARGV do
  redis.call('SADD', excl, ARGV[i])
  redis.call('SREM', src, ARGV[i])
end
return 1
