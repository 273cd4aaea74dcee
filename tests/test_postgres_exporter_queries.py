"""The native stack's postgres_exporter (Debian's 0.11.1, no stat_user_tables collector) gets the
pg_stat_user_tables series the dashboards' bloat and index-use panels read, under the names the
compose stack's 0.16 collector uses."""

import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import requests

from deploy.local.processes import wait_until
from deploy.local.stack import STAT_USER_TABLES_QUERIES, free_port, postgres_exporter_extra_queries

EXPORTER = "/usr/bin/prometheus-postgres-exporter"
SERVER = "postgresql://postgres@127.0.0.1:5432"
SERIES = ("seq_scan", "idx_scan", "n_live_tup", "n_dead_tup")


@pytest.fixture
def database_with_a_table() -> Iterator[str]:
    name = f"exporter_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as database:
            database.execute("CREATE TABLE reminder (id int PRIMARY KEY)")
            database.execute("INSERT INTO reminder SELECT generate_series(1, 10)")
        yield name
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.processes
def test_the_installed_exporter_exports_pg_stat_user_tables(database_with_a_table):
    flags = postgres_exporter_extra_queries(EXPORTER)
    assert flags == [f"--extend.query-path={STAT_USER_TABLES_QUERIES}"]  # 0.11.1 lacks the collector
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "DATA_SOURCE_NAME": f"{SERVER}/{database_with_a_table}?sslmode=disable"}
    exporter = subprocess.Popen(
        [EXPORTER, f"--web.listen-address=127.0.0.1:{port}", *flags],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def scraped() -> str | None:
            try:
                body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except requests.ConnectionError:
                return None
            return body if "pg_stat_user_tables_n_live_tup" in body else None

        body = wait_until(scraped, "pg_stat_user_tables in the exporter's metrics", timeout=20)
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)

    for series in SERIES:
        line = next(line for line in body.splitlines() if line.startswith(f"pg_stat_user_tables_{series}{{"))
        assert f'datname="{database_with_a_table}"' in line
        assert 'relname="reminder"' in line
    assert 'pg_exporter_user_queries_load_error{filename="' in body
