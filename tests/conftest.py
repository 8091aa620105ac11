"""Test harness: a real MariaDB for the whole session, a fresh database per test.

The server is a throwaway ``mariadbd`` started from the system binaries (own temp
data dir, socket and free port on 127.0.0.1), stopped at exit. Set
DUMPCORE_TEST_DSN=mysql://user:pass@host:port/ to use an existing, disposable server
instead (tests create and drop databases, and (re)create `world` and `sakila`).
"""
from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from dumpcore.connect.connection import ConnectionOptions, quote_ident
from dumpcore.sandbox.sandbox import Sandbox
from fixture_world import create_world
from s3server import CREDENTIALS, S3Server, create_bucket

# A suite started in the background by a shell without job control (`cmd &`, nohup) has
# SIGINT ignored, and every dumpcore it starts would inherit that: the Ctrl-C tests would
# see a dump run to its end. Caught again here, it is the default again in each child.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parents[1]
SAKILA_DIR = REPO.parent / "shared" / "fixtures" / "sakila"
# Sakila is the team's third-party check, not part of this repository: a clone without
# ../shared runs everything else (the own fixture, tests/fixture_world.py, covers the same
# shapes) and skips only the tests about Sakila itself.
needs_sakila = pytest.mark.skipif(not (SAKILA_DIR / "sakila-schema.sql").exists(),
                                  reason="../shared/fixtures/sakila not present (only in CI / the team's checkout)")
_db_counter = itertools.count(1)


def pytest_configure(config):
    """A run ended by SIGTERM (a CI time limit, `timeout`) stops as one ended by Ctrl-C:
    the session's fixtures are torn down, so its MariaDB is stopped, not left running."""
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)


@pytest.fixture(scope="session")
def server() -> ConnectionOptions:
    dsn = os.environ.get("DUMPCORE_TEST_DSN")
    if dsn:
        yield ConnectionOptions.from_dsn(dsn)
        return
    box = Sandbox()
    box.start()
    try:
        yield box.options
    finally:
        box.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """An S3-compatible server on 127.0.0.1 (tests/s3server.py), started on first use."""
    endpoint = os.environ.get("DUMPCORE_TEST_S3_ENDPOINT")
    if endpoint:
        yield endpoint
        return
    box = S3Server()
    box.start()
    try:
        yield box.endpoint
    finally:
        box.stop()


_bucket_counter = itertools.count(1)


@pytest.fixture
def s3(s3_endpoint, monkeypatch, tmp_path) -> tuple[str, str]:
    """(a new empty bucket's s3:// URL, the endpoint), the test's credentials in the
    environment and dumpcore's cache (staged dumps, fetched copies) under tmp_path/cache."""
    monkeypatch.setenv("DUMPCORE_CACHE_DIR", str(tmp_path / "cache"))
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"dumpcore-test-{os.getpid()}-{next(_bucket_counter)}"
    create_bucket(s3_endpoint, bucket)
    return f"s3://{bucket}", s3_endpoint


@pytest.fixture
def conn(server):
    with server.connect() as c:
        yield c


@pytest.fixture
def db(server, request) -> str:
    """A new empty database for this test, dropped afterwards."""
    base = re.sub(r"\W", "_", request.node.name)[:40]
    name = f"t{next(_db_counter)}_{base}"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
        c.execute(f"CREATE DATABASE {quote_ident(name)} CHARACTER SET utf8mb4")
    yield name
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def one_big_many_small(server: ConnectionOptions, database: str, big_rows: int, small: int, empty_every: int,
                       step: int) -> None:
    """`big` (``big_rows`` rows of ~160 bytes) and ``small`` tables s0, s1, ... of ``t * step``
    rows each, every ``empty_every``-th empty: a dump's or a restore's progress over tables
    of one chunk and one of several."""
    with server.connect(database) as c:
        c.execute("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))")
        c.execute(f"INSERT INTO big SELECT seq, REPEAT('x', 150) FROM seq_1_to_{big_rows}")
        c.execute("ANALYZE TABLE big")
        for t in range(small):
            c.execute(f"CREATE TABLE s{t} (id INT PRIMARY KEY, v VARCHAR(20))")
            if t % empty_every:
                c.execute(f"INSERT INTO s{t} SELECT seq, CONCAT('v', seq) FROM seq_1_to_{t * step}")


def journal_file(state: Path, server: ConnectionOptions, database: str, saved_triggers: bool = False) -> Path:
    """Where a restore into ``database`` on the test server keeps its journal (or the
    triggers --defer-triggers saved) under the state directory ``state``."""
    from dumpcore.restore.state import StateDir, server_identity

    with server.connect() as c:
        identity = server_identity(c)
    state_dir = StateDir(Path(state), "")
    return state_dir.saved_triggers_path(database, identity) if saved_triggers else \
        state_dir.journal_path(database, identity)


def run_client(options: ConnectionOptions, sql: str | bytes | None = None, database: str | None = None,
               stdin_path: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `mariadb` client with ``sql`` (or a file) on stdin; raise on failure."""
    cmd = options.client_command("mariadb", database)
    data = sql.encode() if isinstance(sql, str) else sql
    if stdin_path is not None:
        with open(stdin_path, "rb") as f:
            proc = subprocess.run(cmd, stdin=f, capture_output=True, env=options.client_env(), cwd=cwd)
    else:
        proc = subprocess.run(cmd, input=data, capture_output=True, env=options.client_env(), cwd=cwd)
    if proc.returncode != 0:
        raise AssertionError(f"mariadb client failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return proc


@pytest.fixture(scope="session")
def world(server) -> str:
    """The own rental-shop fixture (tests/fixture_world.py), built once per session as `world`."""
    with server.connect() as c:
        create_world(c, "world")
    return "world"


@pytest.fixture(scope="session")
def sakila(server) -> str:
    """Sakila loaded once per session as `sakila` (its views name the schema)."""
    run_client(server, stdin_path=SAKILA_DIR / "sakila-schema.sql")
    run_client(server, stdin_path=SAKILA_DIR / "sakila-data.sql")
    return "sakila"
