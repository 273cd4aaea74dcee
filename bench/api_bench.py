"""POST /api/v1/chat/messages against the project's stack with an empty view, same server, same run.

    .venv/bin/python bench/api_bench.py [--duration 15] [--connections 16] [--workers 4]

Needs wrk (apt-get install wrk), PostgreSQL and Redis (see bench/README.md).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness

CHAT_LUA = """
local texts = {"what's next?", "list", "help", "remind me to stretch in 2 hours", "reminders"}
local i = 0
request = function()
  i = i + 1
  local body = '{"text": "' .. texts[(i % #texts) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/chat/messages", nil, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    load = {"connections": args.connections, "duration": args.duration}

    with harness.server(workers=args.workers) as srv:
        harness.reference(srv, connections=args.connections, duration=3)  # warm-up
        results = {
            "project's stack, empty view (GET /bench/reference)": harness.reference(srv, **load),
            "chat (POST /api/v1/chat/messages)": harness.wrk(
                f"{srv.base_url}/api/v1/chat/messages",
                headers={"Authorization": f"Bearer {srv.token}", "Content-Type": "application/json"},
                script=harness.lua_script(CHAT_LUA),
                **load,
            ),
        }
    harness.report(results, workers=args.workers, **load)
    harness.verdict("chat", *results.values(), min_ratio=0.5, max_p99_ms=50)


if __name__ == "__main__":
    main()
