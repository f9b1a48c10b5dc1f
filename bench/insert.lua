-- wrk script: every request is a POST to bench/hello.py's /insert (one INSERT, one COMMIT).
-- done() prints "statuses: 204=N ..." like submit.lua, so the bench can tell errors from rows.

local threads = {}
wrk.method = "POST"
wrk.body = "answer=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
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
