-- wrk script: POST a distinct Telegram text-message update per request to /webhook, spread over
-- 1,000 chats. Each wrk thread numbers its own update_ids so none repeats.
-- Set RATE (requests/s for the whole run) to pace requests instead of sending flat out, and SECRET to the
-- webhook secret `serve` checks (it answers 401 to a request without it).
local threads = {}
local base_offset = tonumber(os.getenv("UPDATE_ID_BASE") or "0")

function setup(thread)
  thread:set("base", base_offset + #threads * 100000000)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  local rate = tonumber(os.getenv("RATE") or "0")
  local connections = tonumber(os.getenv("CONNECTIONS_PER_THREAD") or "1")
  -- Each connection waits this long between requests, so the threads together send RATE per second.
  pause = rate > 0 and (connections * tonumber(os.getenv("THREADS") or "1") * 1000 / rate) or 0
  headers = {["Content-Type"] = "application/json"}
  local secret = os.getenv("SECRET")
  if secret and secret ~= "" then headers["X-Telegram-Bot-Api-Secret-Token"] = secret end
end

function delay()
  return pause
end

function request()
  counter = counter + 1
  local id = base + counter
  local chat = id % 1000 + 1
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"User"},' ..
    '"chat":{"id":%d,"first_name":"User","type":"private"},"date":1700000000,"text":"hello %d"}}',
    id, counter, chat, chat, id)
  return wrk.format("POST", "/webhook", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
