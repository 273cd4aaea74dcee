"""The bare anchor the CPU benchmark (bench/cpu_bench.py) measures the project against: a minimal
Django + DRF app of its own, with DRF's TokenAuthentication and one 10-row list, no middleware,
no instrumentation and none of the project's apps, on the same PostgreSQL."""
