-- wrk script of bench/serve.sh: requests from a file of paths (one per
-- line: "GET /path" or "POST /events <json>"), taken in turn; at the end
-- one line with the figures bench/serve.sh parses.
local reqs = {}
local n = 0
local i = 0

function init(args)
	for line in io.lines(args[1]) do
		local m, p, b = line:match("^(%S+) (%S+) ?(.*)$")
		local h = {}
		if b == "" then
			b = nil
		else
			h["Content-Type"] = "application/json"
		end
		n = n + 1
		reqs[n] = wrk.format(m, p, h, b)
	end
	i = math.random(n)
end

function request()
	i = i % n + 1
	return reqs[i]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "RESULT rps=%.1f p50=%.3f p99=%.3f p999=%.3f requests=%d "
	    .. "non2xx=%d errors=%d\n",
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    latency:percentile(99.9) / 1000, summary.requests, e.status,
	    e.connect + e.read + e.write + e.timeout))
end
