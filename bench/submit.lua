-- wrk script: every request posts the first survey screen as a new person would.
--
-- Each request starts a new response with its own key. A screen's form token is made from its
-- response key with the server's secret (surveys.public.form_token), so the keys and their tokens are
-- made beforehand in Python (bench.load.write_keys): thread N reads "<keys file>.N", one "key token"
-- per line, and takes the next line for each request (the file holds more than a run can send).
--
-- Arguments after `--`: survey slug, question id, choice id, keys file (without ".N"),
-- cookie header ("-" for none), and optionally the Referer a browser sends.
-- done() prints one line "statuses: 303=N 400=N ..." counted over all threads, and "exhausted=N" if
-- a thread ran out of keys (it then sends its last key again, which stores nothing new).

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local function form_encode(value)
   return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
   slug, question, choice, keys_file, cookie = args[1], args[2], args[3], args[4], args[5]
   referer = args[6]
   statuses = {}
   keys, tokens, next_key, exhausted = {}, {}, 0, 0
   for line in io.lines(keys_file .. "." .. id) do
      local key, token = line:match("^(%S+) (%S+)$")
      keys[#keys + 1], tokens[#tokens + 1] = key, form_encode(token)
   end
   headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
   if cookie ~= "-" then headers["Cookie"] = cookie end
   if referer then headers["Referer"] = referer end
end

function request()
   if next_key < #keys then next_key = next_key + 1 else exhausted = exhausted + 1 end
   local body = "csrf_token=" .. tokens[next_key] .. "&q" .. question .. "=" .. choice
   return wrk.format("POST", "/s/" .. slug .. "/" .. keys[next_key] .. "/" .. question, headers, body)
end

function response(status, response_headers, response_body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   local exhausted = 0
   for _, thread in ipairs(threads) do
      exhausted = exhausted + thread:get("exhausted")
      for status, n in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(total) do
      table.insert(parts, status .. "=" .. n)
   end
   table.sort(parts)
   io.write("statuses: " .. table.concat(parts, " ") .. "\n")
   if exhausted > 0 then io.write("exhausted=" .. exhausted .. "\n") end
end
