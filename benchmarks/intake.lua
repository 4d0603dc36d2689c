-- wrk (LuaJIT) script for benchmarks/intake.py: each request registers a new client with a unique,
-- valid NIK (district, birth date and sex agree with the body); statuses are counted.
-- START (a random offset), TOKEN and REGION come from the environment.
local start = tonumber(os.getenv("START"))
local region = os.getenv("REGION")
local threads = {}
local id, n = 0, 0
statuses = {}  -- a global: done() reads it from each thread

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  id = wrk.thread:get("id")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end

local function div(a, b) return math.floor(a / b) end

local function person(k)
  -- Birth dates vary fastest, so that no two people of a run share a name and birth date
  -- (the duplicate check would flag them); names and phones carry the whole number.
  local n = k
  local day = k % 28 + 1; k = div(k, 28)
  local month = k % 12 + 1; k = div(k, 12)
  local year = 1961 + k % 44; k = div(k, 44)
  local female = k % 2 == 0; k = div(k, 2)
  local district = k % 30 + 1; k = div(k, 30)
  local serial = k % 9999 + 1
  local nik = string.format("%s%02d%02d%02d%02d%04d", region, district,
    day + (female and 40 or 0), month, year % 100, serial)
  return string.format(
    '{"kind":"worker","nik":"%s","full_name":"Peserta Uji %d","birth_date":"%04d-%02d-%02d",' ..
    '"sex":"%s","phone":"+62812%08d","region_code":"%s"}',
    nik, n, year, month, day, female and "F" or "M", n % 100000000, region)
end

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, person(start + id * 100000000 + n))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, count in pairs(s) do counts[status] = (counts[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, count)) end
  io.write(string.format('WRK {"statuses":{%s},"seconds":%.3f,"p50_ms":%.2f,"p99_ms":%.2f}\n',
    table.concat(parts, ","), summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
