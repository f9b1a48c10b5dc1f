-- wrk script: every request posts the first survey screen as a new person would.
--
-- Each request gets a new response key (prefix, thread, counter, then random
-- characters: unique and 32 long), so each one starts a new response. The
-- CSRF token and session cookie come from one earlier GET and are reused:
-- Flask-WTF accepts the same token again within one session.
--
-- Arguments after `--`: survey slug, question id, choice id, csrf token,
-- session cookie ("session=..."), key prefix ([A-Za-z0-9], unique per run), and optionally the
-- Referer a browser sends (over HTTPS the CSRF check wants a same-origin one).
-- done() prints one line "statuses: 303=N 400=N ..." counted over all threads.

local threads = {}
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
local key_length = 32

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local function form_encode(value)
   return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
   slug, question, choice, token, cookie, prefix = args[1], args[2], args[3], args[4], args[5], args[6]
   referer = args[7]
   counter = 0
   statuses = {}
   math.randomseed(os.time() * 1000 + id)
   body = "csrf_token=" .. form_encode(token) .. "&q" .. question .. "=" .. choice
   headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}
   if referer then headers["Referer"] = referer end
end

local function new_key()
   counter = counter + 1
   local key = prefix .. id .. "x" .. counter .. "x"
   local random = {}
   for i = 1, key_length - #key do
      local n = math.random(1, #alphabet)
      random[i] = alphabet:sub(n, n)
   end
   return key .. table.concat(random)
end

function request()
   return wrk.format("POST", "/s/" .. slug .. "/" .. new_key() .. "/" .. question, headers, body)
end

function response(status, response_headers, response_body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
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
end
