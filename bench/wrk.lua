-- wrk's script for every load of `make bench` (bench/run.py).
--
-- done(): writes every latency wrk recorded, "microseconds count" a line, to the file
-- BENCH_LATENCIES names, so the runs of one page can be merged into one p99; and for POST
-- pages "sent N": how many prepared requests were sent (some may have had no answer).
--
-- request() for POST pages, when BENCH_REQUESTS names a file: request i is line i of it,
-- "path<TAB>cookie<TAB>body", one fresh episode each. With one wrk thread (-t1) this one
-- counter serves all connections, so no line is sent twice; when the lines run out the
-- thread stops and the run ends early.
local requests_file = os.getenv("BENCH_REQUESTS")

if requests_file then
  local lines = {}
  for line in io.lines(requests_file) do
    local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    lines[#lines + 1] = { path, cookie, body }
  end
  next_line = 0 -- global: done() reads it from the thread

  request = function()
    next_line = next_line + 1
    local item = lines[next_line]
    if item == nil then
      wrk.thread:stop()
      item = lines[#lines]
    end
    local headers = {
      ["Cookie"] = item[2],
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }
    return wrk.format("POST", item[1], headers, item[3])
  end
end

local threads = {}

setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_LATENCIES"), "w")
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("%d %d\n", value, count))
  end
  if requests_file then
    out:write(string.format("sent %d\n", threads[1]:get("next_line")))
  end
  out:close()
end
