-- wrk script: cycles through a fixed mix of API requests (bbox, datetime, filters, statistics,
-- single items, the page) so every connection exercises the whole service.
local paths = {
  "/api/collections/incidents/items?bbox=60,29,75,39&limit=100",
  "/api/collections/incidents/items?datetime=2022-04-01/2022-05-31",
  "/api/collections/plots/items",
  "/api/collections/attacks/items?bbox=-180,-90,180,90&limit=50",
  "/api/collections/incidents/items?country=AFG&claim=claimed",
  "/api/stats?by=country&datetime=2020-01-01/2023-12-31",
  "/api/stats?by=province&period=month&country=AFG",
  "/api/collections/incidents/items/2024-03-22-crocus-city-hall",
  "/api/collections/countries/items/AFG",
  "/api/collections",
  "/api/geocode?q=kand",
  "/",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
