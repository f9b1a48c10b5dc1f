-- wrk script: closed-loop journeys through a whole survey, one person per connection.
--
-- Run with as many threads as connections (-tN -cN): wrk's callbacks do not say
-- which connection a response came on, so each thread drives exactly one, and
-- its state below is that person's. A journey: GET the start address (a scan,
-- /q/<code>), follow redirects to the first screen, then answer each screen:
--   mode "nojs": POST -> 303 -> GET the next screen ... -> 303 -> GET the thank-you page (200);
--   mode "js":   POST with "X-Bypuls-Inline: 1" -> 200 with the next page and its address in
--                X-Bypuls-Location ... -> 200 with the thank-you page.
-- Then the next journey starts at once. A 303 to a POST in mode "js" means the server did not
-- honour the header: it is counted (not_inline) and followed, and the bench reports it.
--
-- A screen's form token is made from its response key, so each journey takes it from its first screen.
-- Arguments after `--`: mode, start path, csrf token, cookie header ("-" for none),
-- Referer ("-" for none), then the answers: "questionid:form-encoded fields|..." for every
-- question the journey meets (the token and the `via` of the address are added here).
-- done() prints "journeys: key=value ..." and "statuses: 200=N 303=N ...".

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local function now()
   ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC: wall time, never stepped
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function form_encode(value)
   return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
   mode, start, token, cookie, referer = args[1], args[2], args[3], args[4], args[5]
   answers = {}
   for question, fields in string.gmatch(args[6], "(%d+):([^|]*)") do
      answers[question] = fields
   end
   get_headers, post_headers = {}, {["Content-Type"] = "application/x-www-form-urlencoded"}
   if cookie ~= "-" then
      get_headers["Cookie"] = cookie
      post_headers["Cookie"] = cookie
   end
   if referer ~= "-" then
      get_headers["Referer"] = referer
      post_headers["Referer"] = referer
   end
   if mode == "js" then post_headers["X-Bypuls-Inline"] = "1" end
   statuses, durations = {}, {}
   completed, confirmed, not_inline, failures, requests_done = 0, 0, 0, 0, 0
   failure = ""
   pending, began, in_flight_post = nil, 0, 0
end

-- What an address is: ("screen", question id, via) or ("thanks") or ("other").
local function classify(path)
   local question = path:match("^/s/[^/]+/[^/?]+/(%d+)")
   if question then return "screen", question, path:match("[?&]via=([^&]+)") end
   if path:match("^/s/[^/]+/[^/?]+/tak") then return "thanks" end
   return "other"
end

local function header(headers, name)
   name = name:lower()
   for key, value in pairs(headers) do
      if key:lower() == name then return value end
   end
   return nil
end

local function local_path(address)
   return (address or ""):gsub("^https?://[^/]+", "")
end

local function post(path, question, via)
   local body = "csrf_token=" .. form_encode(token) .. "&" .. answers[question]
   if via then body = body .. "&via=" .. via end
   return {method = "POST", path = path, question = question, via = via, body = body}
end

function request()
   if pending == nil then
      pending = {method = "GET", path = start}
      began = now()
   end
   if pending.method == "POST" then
      in_flight_post = 1
      return wrk.format("POST", pending.path, post_headers, pending.body)
   end
   return wrk.format("GET", pending.path, get_headers)
end

local function give_up(status, sent)
   failures = failures + 1
   if failure == "" then failure = status .. "_" .. sent.method .. "_" .. sent.path:gsub("[^%w/]", "_") end
   pending = nil -- the next request starts a new journey
end

local function finish()
   completed = completed + 1
   durations[#durations + 1] = now() - began
   pending = nil
end

-- After a screen's POST was accepted: where the server sent the person (`address`).
local function went_to(address, sent)
   local kind, question, via = classify(address)
   if kind == "thanks" then confirmed = confirmed + 1 end
   return kind, question, via or sent.via
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 200 and body then token = body:match('name="csrf_token" value="([^"]+)"') or token end
   requests_done = requests_done + 1
   local sent = pending
   if sent.method == "POST" then in_flight_post = 0 end
   if status == 303 or status == 302 then
      local address = local_path(header(headers, "Location"))
      if sent.method == "POST" then
         if mode == "js" then not_inline = not_inline + 1 end
         went_to(address, sent)
      end
      pending = {method = "GET", path = address}
   elseif status == 200 and sent.method == "GET" then
      local kind, question, via = classify(sent.path)
      if kind == "thanks" then return finish() end
      if kind ~= "screen" or answers[question] == nil then return give_up(status, sent) end
      pending = post(sent.path:gsub("%?.*$", ""), question, via)
   elseif status == 200 and mode == "js" then
      local address = local_path(header(headers, "X-Bypuls-Location"))
      local kind, question, via = went_to(address, sent)
      if kind == "thanks" then return finish() end
      if kind ~= "screen" or answers[question] == nil then return give_up(status, sent) end
      pending = post(address:gsub("%?.*$", ""), question, via)
   else
      give_up(status, sent)
   end
end

local function percentile(sorted, p)
   if #sorted == 0 then return 0 end
   return sorted[math.max(1, math.ceil(#sorted * p))]
end

function done(summary, latency, requests)
   local all, totals, statuses_total = {}, {}, {}
   local counters = {"completed", "confirmed", "not_inline", "failures", "requests_done", "in_flight_post"}
   local first_failure = "none"
   for _, thread in ipairs(threads) do
      for _, name in ipairs(counters) do
         totals[name] = (totals[name] or 0) + thread:get(name)
      end
      for _, seconds in ipairs(thread:get("durations")) do all[#all + 1] = seconds end
      for status, n in pairs(thread:get("statuses")) do
         statuses_total[status] = (statuses_total[status] or 0) + n
      end
      local failed = thread:get("failure")
      if failed ~= "" and first_failure == "none" then first_failure = failed end
   end
   table.sort(all)
   local parts = {}
   for _, name in ipairs(counters) do parts[#parts + 1] = name .. "=" .. totals[name] end
   parts[#parts + 1] = string.format("seconds=%.3f", summary.duration / 1e6)
   parts[#parts + 1] = string.format("p50=%.6f", percentile(all, 0.5))
   parts[#parts + 1] = string.format("p99=%.6f", percentile(all, 0.99))
   parts[#parts + 1] = "first_failure=" .. first_failure
   io.write("journeys: " .. table.concat(parts, " ") .. "\n")
   local codes = {}
   for status, n in pairs(statuses_total) do codes[#codes + 1] = status .. "=" .. n end
   table.sort(codes)
   io.write("statuses: " .. table.concat(codes, " ") .. "\n")
end
