-- wrk script of the external-load submit benchmark (survey-server/benches/submit_wrk.rs).
--
--   wrk -t2 -c32 -d10s --latency -s bench/wrk/submit.lua URL -- BODIES THREADS MODE
--
-- BODIES is a file of filled forms, one a line: the device cookie (`minyi_device=…`, or
-- empty), a tab, then the urlencoded form body with its own form token. Thread k of THREADS
-- posts lines k, k+THREADS, k+2·THREADS, … in order, so no two requests of a run post the same
-- form. MODE `unique`: a thread that has posted all its lines sends `GET /healthz` instead
-- and counts it as `exhausted` (the benchmark then discards the run: a form posted twice is
-- a duplicate the server acknowledges without storing). MODE `cycle` (the bare handler, which
-- stores nothing): a thread starts over from its first line.
--
-- MINYI_WRK_PORTS=P1,P2 (environment) spreads the threads over servers on the URL's host:
-- thread k goes to port P(k mod n + 1). Each thread keeps its share of the connections.
--
-- At the end it prints `minyi-wrk posted=… s204=… s303=… other=… exhausted=…` (summed over
-- the threads), then one `minyi-wrk-thread …` line a thread with its port and counts.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   local ports = os.getenv("MINYI_WRK_PORTS")
   if ports and ports ~= "" then
      local list = {}
      for p in ports:gmatch("[^,]+") do
         list[#list + 1] = p
      end
      local port = list[next_id % #list + 1]
      thread.addr = wrk.lookup(wrk.host, port)[1]
      thread:set("port", port)
   else
      thread:set("port", wrk.port or "")
   end
   next_id = next_id + 1
   table.insert(threads, thread)
end

local requests = {}
local position = 1
local cycle = false
local healthz

posted = 0
s204 = 0
s303 = 0
other = 0
exhausted = 0

function init(args)
   -- wrk passes the URL at index 0 and the arguments after `--` from index 1.
   local path, nthreads, mode = args[1], tonumber(args[2]), args[3]
   assert(path and nthreads and (mode == "unique" or mode == "cycle"),
          "usage: -- BODIES THREADS unique|cycle")
   cycle = mode == "cycle"
   local line_no = 0
   for line in io.lines(path) do
      if line_no % nthreads == id then
         local cookie, body = line:match("^([^\t]*)\t(.*)$")
         assert(body, "a line of " .. path .. " without a tab")
         local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
         if cookie ~= "" then
            headers["Cookie"] = cookie
         end
         requests[#requests + 1] = wrk.format("POST", nil, headers, body)
      end
      line_no = line_no + 1
   end
   assert(#requests > 0, "no bodies for thread " .. id .. " in " .. path)
   healthz = wrk.format("GET", "/healthz", {})
end

function request()
   if position > #requests then
      if not cycle then
         exhausted = exhausted + 1
         return healthz
      end
      position = 1
   end
   local r = requests[position]
   position = position + 1
   posted = posted + 1
   return r
end

function response(status, headers, body)
   if status == 303 then
      s303 = s303 + 1
   elseif status == 204 then
      s204 = s204 + 1
   elseif not (status == 200 and exhausted > 0) then
      other = other + 1
   end
end

local counters = { "posted", "s204", "s303", "other", "exhausted" }

local function line(prefix, values)
   local parts = { prefix }
   for _, k in ipairs(counters) do
      parts[#parts + 1] = string.format("%s=%d", k, values[k])
   end
   return table.concat(parts, " ") .. "\n"
end

function done(summary, latency, requests)
   local totals = {}
   for _, k in ipairs(counters) do
      totals[k] = 0
   end
   local per_thread = {}
   for _, t in ipairs(threads) do
      local values = {}
      for _, k in ipairs(counters) do
         values[k] = t:get(k)
         totals[k] = totals[k] + values[k]
      end
      per_thread[#per_thread + 1] =
         line(string.format("minyi-wrk-thread id=%d port=%s", t:get("id"), t:get("port")), values)
   end
   io.write(line("minyi-wrk", totals))
   for _, l in ipairs(per_thread) do
      io.write(l)
   end
end
