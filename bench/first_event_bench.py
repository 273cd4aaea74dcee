"""Do the dashboards show what just happened? The share of panel queries returning the right
value two scrapes after traffic, on the native stack at Prometheus' shipped intervals (15 s
scrape and evaluation) with fresh processes.

    .venv/bin/python bench/first_event_bench.py                  # one of each event of issue 15
    .venv/bin/python bench/first_event_bench.py --traffic proof  # the Prometheus proof's traffic

Only panel queries whose traffic was sent count: those reading a series the processes
themselves say moved (read from each target's /metrics before and after the traffic, see
monitoring/tests/first_event.py). Right: a non-zero number when all it reads moved, a number
when part of it did. Prints the share, then every wrong query with what it answered and
whether the first-event problem (a series born by its first event) or the query is to blame.

Target (issue 15): 100%. About 2 minutes (`--traffic proof`: 3). PostgreSQL and Redis as the
other benchmarks (BENCH_DATABASE_URL, BENCH_REDIS_URL).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import DATABASE_URL, REDIS_URL
from deploy.local.stack import StackOptions
from monitoring.tests.first_event import observe
from monitoring.tests.stack_fixtures import stack_with_fakes
from monitoring.tests.stack_traffic import STACK_ENV, first_events, proof_traffic

TRAFFIC = {"first-events": (first_events, {}), "proof": (proof_traffic, STACK_ENV)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--traffic", choices=sorted(TRAFFIC), default="first-events")
    parser.add_argument("--keep-temp", action="store_true", help="keep the stack's configs and logs")
    parser.add_argument("--all", action="store_true", help="list the right and the uncounted queries too")
    args = parser.parse_args()
    traffic, app_env = TRAFFIC[args.traffic]
    # Shipped scrape, evaluation and routes: nothing shortened.
    options = StackOptions(
        database_url=DATABASE_URL, redis_url=REDIS_URL, env=dict(app_env), keep_temp=args.keep_temp
    )
    with stack_with_fakes(options) as env:
        if env.stack.not_installed:
            sys.exit(
                f"exporters missing: apt-get install {' '.join(sorted(env.stack.not_installed.values()))}"
            )
        observation = observe(env, traffic)
        print(
            f"native stack at the shipped intervals, {env.stack.database.vendor}"
            f"{' + Redis' if env.stack.redis_url else ''}, traffic: {args.traffic}"
            f" ({observation.traffic_seconds:.0f} s)"
        )
        print(observation.report(everything=args.all))
        if args.keep_temp:
            print(f"configs and logs: {env.stack.temp_dir}")


if __name__ == "__main__":
    main()
