-- POST /api/predict at a constant rate, for wrk (which has no rate option of its own).
--   wrk -t1 -c8 -d60s --latency -s src/bench/wrk/predict.lua http://localhost:8080/api/predict -- 200 src/bench/wrk/digit.json
-- Arguments after "--": requests per second (per wrk thread) and the image-event JSON to send.
-- Each request takes the next slot of a fixed schedule, so a slow response delays nothing but itself
-- (as long as a connection is free), and the latencies wrk reports are those at the requested rate.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } mlp_timespec;
int clock_gettime(int clock, mlp_timespec *t);
]]
local t = ffi.new("mlp_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) * 1000 + tonumber(t.tv_nsec) / 1e6
end

local interval_ms, next_slot
local statuses = {}

function init(args)
  interval_ms = 1000 / tonumber(args[1] or "200")
  local f = assert(io.open(args[2] or "src/bench/wrk/digit.json", "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  local now = now_ms()
  next_slot = math.max(next_slot or now, now - interval_ms) + interval_ms
  return math.max(0, math.floor(next_slot - now + 0.5))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("rate: %.1f requests/s over %.1f s, errors: %d\n",
      summary.requests / (summary.duration / 1e6), summary.duration / 1e6,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000, latency.max / 1000))
end
