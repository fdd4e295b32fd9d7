-- wrk script: records and statistics of random datetime windows over the world (a month to two
-- years, 2015-2024), no two alike, so that no kept answer is reused: the cost of a time filter.
-- WINDOWS_PATH picks the endpoint: "items" (a page of 100) or "stats".
-- WINDOWS_SEED (default 19) picks the sequence, so that a warm-up run asks other windows.
math.randomseed(tonumber(os.getenv("WINDOWS_SEED") or "19"))
local what = os.getenv("WINDOWS_PATH") or "items"
request = function()
  local y, m, d = math.random(2015, 2023), math.random(1, 12), math.random(1, 28)
  local months = math.random(1, 24)
  local ey, em = y + math.floor((m - 1 + months) / 12), (m - 1 + months) % 12 + 1
  local window = string.format("%04d-%02d-%02d/%04d-%02d-%02d", y, m, d, ey, em, d)
  if what == "stats" then
    return wrk.format("GET", "/api/stats?by=country&datetime=" .. window)
  end
  return wrk.format("GET", "/api/collections/incidents/items?limit=100&datetime=" .. window)
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%d non2xx3xx=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
