-- wrk sends each POST to a fresh episode: request i is line i of the file BENCH_REQUESTS
-- names, "path<TAB>cookie<TAB>body" (bench/run.py writes it). With one wrk thread (-t1) this
-- one counter serves all connections, so no line is sent twice; when the lines run out the
-- thread stops and the run ends early.
local lines = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  lines[#lines + 1] = { path, cookie, body }
end
local next_line = 0

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
