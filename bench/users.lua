-- The benchmark's requests, for wrk (https://github.com/wg/wrk, LuaJIT).
--
--     wrk -t2 -c64 -d8s -s users.lua http://127.0.0.1:8000 -- MODE ROWS NONCE CONNECTIONS
--
-- MODE is one of
--   get   GET /users/{id}, ids drawn uniformly from 1..ROWS (all of them exist);
--   post  POST /users, every e-mail address unique: NONCE, the thread and a counter;
--   mix   90% get, 10% post, drawn request by request.
-- NONCE must differ between runs on one table, or the e-mail addresses of a second run would
-- collide with the first's (409). CONNECTIONS repeats -c, which done() needs (below).
--
-- At the end the script prints one line, "BENCH_JSON " and a JSON object, for the harness:
-- counts, errors and the latency distribution in microseconds, as recorded (see done()).
-- wrk counts a response as a "status" error when its status is 400 or above; the API sends
-- no 1xx or 3xx, so every other response is a 2xx.

local threads = {}

function setup(thread)
   thread:set("thread_id", #threads + 1)
   table.insert(threads, thread)
end

local mode, rows, nonce
connections = nil -- global: done() reads it from a thread with thread:get()
local counter = 0
local post_headers = { ["Content-Type"] = "application/json" }

function init(args)
   mode = args[1] or "get"
   rows = tonumber(args[2]) or 100000
   nonce = args[3] or tostring(os.time())
   connections = tonumber(args[4]) or 1
   if mode ~= "get" and mode ~= "post" and mode ~= "mix" then
      error("unknown mode " .. mode .. " (get, post or mix)")
   end
   -- Each thread its own sequence of ids, and a different one in every run.
   math.randomseed(thread_id * 1000003 + (tonumber(nonce) or os.time()))
end

local function get_user()
   return wrk.format("GET", "/users/" .. math.random(rows))
end

local function create_user()
   counter = counter + 1
   local email = "b" .. nonce .. "t" .. thread_id .. "n" .. counter .. "@example.com"
   local body = '{"name":"Bench User","email":"' .. email .. '"}'
   return wrk.format("POST", "/users", post_headers, body)
end

function request()
   if mode == "get" or (mode == "mix" and math.random() < 0.9) then
      return get_user()
   end
   return create_user()
end

-- The latency histogram as wrk 4 keeps it (src/stats.h): counters, then data[v], the number of
-- samples of v microseconds. Debian's wrk 4.1.0 gives Lua no way to read data[] (later versions
-- index the stats object), so LuaJIT's FFI reads it through the pointer that the `latency`
-- object holds. The layout is checked against what wrk itself reports before it is trusted.
local ffi = require("ffi")

local function histogram(latency)
   local fields = ffi.cast("uint64_t **", latency)[0] -- count, limit, min, max, data...
   if tonumber(fields[2]) ~= latency.min or tonumber(fields[3]) ~= latency.max then
      error("wrk's latency histogram is not laid out as wrk 4's src/stats.h says")
   end
   return fields + 4, tonumber(fields[3])
end

-- wrk "corrects" the histogram for coordinated omission before done() sees it (stats_correct()
-- in src/stats.c): with e = run time / (requests / connections), every sample of n >= 2e
-- microseconds adds phantom samples at n - e, n - 2e, ... down to above e. The result is neither
-- the latency of the requests sent nor that of an open-loop load. This undoes it exactly, from
-- the top down: at every value v > e, the phantoms are the samples already found above v with
-- the same remainder modulo e. The harness checks that the samples add up to the requests.
local function recorded_latencies(latency, summary, connections)
   local per_connection = math.floor(summary.requests / connections)
   local e = per_connection > 0 and math.floor(summary.duration / per_connection) or math.huge
   local data, max = histogram(latency)
   local values, counts = {}, {}
   local above = {} -- by remainder modulo e: the samples found so far above the current value
   for v = max, 0, -1 do
      local n = tonumber(data[v])
      if v > e and n > 0 then
         local r = v % e
         n = n - (above[r] or 0)
         above[r] = (above[r] or 0) + n
      end
      if n > 0 then
         table.insert(values, v)
         table.insert(counts, n)
      end
   end
   return values, counts
end

local function describe(values, counts, percentiles)
   local total, sum = 0, 0
   for i = 1, #values do
      total = total + counts[i]
      sum = sum + values[i] * counts[i]
   end
   local found, seen, next_p = {}, 0, 1
   for i = #values, 1, -1 do -- ascending
      seen = seen + counts[i]
      while next_p <= #percentiles and seen >= percentiles[next_p] / 100 * total do
         found[next_p] = values[i]
         next_p = next_p + 1
      end
   end
   return total, (total > 0 and sum / total or 0), found
end

function done(summary, latency, requests)
   local connections = threads[1]:get("connections")
   local percentiles = { 50, 90, 99, 99.9 }
   local values, counts = recorded_latencies(latency, summary, connections)
   local total, mean, found = describe(values, counts, percentiles)

   local recorded, corrected = {}, {}
   for i, p in ipairs(percentiles) do
      table.insert(recorded, string.format('"%s":%d', p, found[i] or 0))
      table.insert(corrected, string.format('"%s":%d', p, latency:percentile(p)))
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
         .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
         .. '"latency_us":{"samples":%d,"min":%d,"max":%d,"mean":%.1f,"percentiles":{%s}},'
         .. '"wrk_corrected_latency_us":{"mean":%.1f,"percentiles":{%s}}}\n',
      summary.requests, summary.duration, summary.bytes,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      total, latency.min, latency.max, mean, table.concat(recorded, ","),
      latency.mean, table.concat(corrected, ",")))
end
