-- Applies one change to a Redis view, only if it is not older than what the view holds.
-- KEYS[1]: the row's hash; KEYS[2]: the row's delete marker (same hash slot)
-- ARGV[1]: 'd' for a delete, anything else for an upsert
-- ARGV[2]: the change's source position (fixed-width, compares as a string)
-- ARGV[3]: seconds a delete marker lives (guards against replays resurrecting the row)
-- ARGV[4]: channel to publish the key on, '' for none
-- ARGV[5..]: field, value, field, value, ... of the new row
-- Returns 1 if applied, 0 if the view already holds a newer position.
local position = ARGV[2]
local current = redis.call('HGET', KEYS[1], '_position')
if not current then
  current = redis.call('GET', KEYS[2])
end
if current and current > position then
  return 0
end
if ARGV[1] == 'd' then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], position, 'EX', tonumber(ARGV[3]))
else
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], '_position', position, unpack(ARGV, 5))
end
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], KEYS[1])
end
return 1
