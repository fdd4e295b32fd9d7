-- wrk script: clusters of random boxes (world to region sized) at zoom 3 to 6, so that no two
-- requests are alike and no kept answer is reused: the cost of making a clusters answer.
math.randomseed(19)
request = function()
  local zoom = math.random(3, 6)
  local w = 360 / 2 ^ zoom * 4
  local x = math.random() * (360 - w) - 180
  local y = math.random() * 100 - 60
  return wrk.format("GET", string.format(
    "/api/collections/incidents/clusters?zoom=%d&bbox=%.4f,%.4f,%.4f,%.4f",
    zoom, x, y, x + w, math.min(y + w / 2, 90)))
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%d non2xx3xx=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
