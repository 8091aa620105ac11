"""Whole databases and servers: dump -B/-A, restore/verify/cat of a whole-server dump.

The source is a sandbox of this module's own (started here), so ``-A`` sees only the
databases made below, not the other tests'; the target is the session's test server.
"""
from __future__ import annotations

import json
import threading
from urllib.parse import quote

import pytest

from clirun import conn_args, dumpcore
from conftest import run_client
from dbcompare import assert_same_database
from edge_data import create_edge_database
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions
from dumpcore.store.hashing import hash_file
from dumpcore.sandbox.sandbox import Sandbox
from dumpcore.dump.server_dump import dump_databases_to_directory

SHOP = "ws_shop"
ODD = "ws odd-db.2 é"  # space, dash, dot and non-ASCII: percent-encoded as a directory name
NAMES = [SHOP, ODD]


def _make_shop(c, db: str) -> None:
    q = quote_ident(db)
    c.execute(f"CREATE DATABASE {q} CHARACTER SET latin1")
    c.execute(f"CREATE TABLE {q}.customer (id INT PRIMARY KEY, name VARCHAR(40), referrer INT, "
              f"FOREIGN KEY (referrer) REFERENCES {q}.customer (id))")
    c.execute(f"CREATE TABLE {q}.orders (id INT PRIMARY KEY, customer INT NOT NULL, total DECIMAL(10,2), "
              f"FOREIGN KEY (customer) REFERENCES {q}.customer (id))")
    c.execute(f"CREATE TABLE {q}.audit (at DATETIME, what VARCHAR(50))")
    c.execute(f"INSERT INTO {q}.customer VALUES " + ",".join(
        f"({i}, 'cust {i}', {'NULL' if i == 1 else i - 1})" for i in range(1, 301)))
    c.execute(f"INSERT INTO {q}.orders VALUES " + ",".join(f"({i}, {i % 300 + 1}, {i}.25)" for i in range(1, 2001)))
    c.execute(f"INSERT INTO {q}.audit VALUES ('2024-01-01', 'x'), ('2024-01-01', 'x'), (NULL, NULL)")
    c.execute(f"CREATE VIEW {q}.big_orders AS SELECT id, total FROM {q}.orders WHERE total > 1000")
    c.execute(f"CREATE TRIGGER {q}.orders_audit AFTER INSERT ON {q}.orders FOR EACH ROW "
              f"INSERT INTO {q}.audit VALUES (NOW(), 'order')")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("source")
    box = Sandbox(root, extra_args=(f"--tmpdir={root}",), tied=True)
    box.start()
    try:
        with box.options.connect() as c:
            _make_shop(c, SHOP)
            c.execute(f"CREATE DATABASE {quote_ident(ODD)} CHARACTER SET utf8mb4")
            create_edge_database(c, ODD)
        yield box.options
    finally:
        box.stop(remove=True)


@pytest.fixture
def clean_target(server):
    """The session's test server without this module's databases, before and after."""
    def drop():
        with server.connect() as c:
            for name in NAMES:
                c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
    drop()
    yield server
    drop()


def _same(source, target, names=NAMES) -> int:
    rows = 0
    with source.connect() as a, target.connect() as b:
        for name in names:
            rows += assert_same_database(a, name, name, target_conn=b)
            assert (a.query_text(f"SHOW CREATE DATABASE {quote_ident(name)}")
                    == b.query_text(f"SHOW CREATE DATABASE {quote_ident(name)}"))
    return rows


def test_all_databases_stream_round_trips(source, clean_target, tmp_path):
    out = dumpcore("dump", "-A", "--stdout", *conn_args(source))
    assert out.returncode == 0, out.stderr
    assert b"Warning: users, roles and grants (the mysql schema) are not dumped" in out.stderr
    stream = out.stdout
    for name in NAMES:
        assert f"USE {quote_ident(name)};".encode() in stream
        assert f"CREATE DATABASE IF NOT EXISTS {quote_ident(name)}".encode() in stream
    for system in ("mysql", "sys", "performance_schema", "information_schema"):
        assert f"USE `{system}`".encode() not in stream
    run_client(clean_target, stream)  # no database named on the client's command line
    assert _same(source, clean_target) > 2000
    (tmp_path / "all.sql").write_bytes(stream)
    assert dumpcore("verify", str(tmp_path / "all.sql")).returncode == 0


def test_databases_directory_restore_verify_cat(source, clean_target, tmp_path):
    d = tmp_path / "two"
    out = dumpcore("dump", "-B", SHOP, ODD, "-o", str(d), "--workers", "2", "--chunk-size", "64KiB", "--json",
                   *conn_args(source))
    assert out.returncode == 0, out.stderr
    tables = [t["name"] for t in json.loads(out.stdout)["tables"]]
    assert f"{SHOP}.orders" in tables and f"{ODD}.all_types" in tables
    top = json.loads((d / "manifest.json").read_text())
    assert top["format"] == "dumpcore-server-dump" and "users, roles and grants" in top["not_dumped"][0]
    assert [e["name"] for e in top["databases"]] == NAMES
    for e in top["databases"]:
        assert e["directory"] == quote(e["name"], safe="")
        assert e["manifest_xxh3_128"] == hash_file(d / e["directory"] / "manifest.json")[0]
        assert json.loads((d / e["directory"] / "manifest.json").read_text())["database"] == e["name"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial left behind

    assert dumpcore("verify", str(d)).returncode == 0
    out = dumpcore("restore", str(d), "-q", *conn_args(clean_target))
    assert out.returncode == 0, out.stderr
    _same(source, clean_target)
    ok = dumpcore("verify", str(d), "--against", "*", *conn_args(clean_target))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    with clean_target.connect() as c:
        c.execute(f"UPDATE {quote_ident(SHOP)}.orders SET total = 0 WHERE id = 7")
    bad = dumpcore("verify", str(d), "--against", "*", *conn_args(clean_target))
    assert bad.returncode == 1 and f"`{SHOP}.orders`".encode() in bad.stderr

    # cat: one whole-server stream, CREATE DATABASE + USE for each, restores both again
    with clean_target.connect() as c:
        for name in NAMES:
            c.execute(f"DROP DATABASE {quote_ident(name)}")
    cat = dumpcore("cat", str(d))
    assert cat.returncode == 0, cat.stderr
    run_client(clean_target, cat.stdout)
    _same(source, clean_target)


def test_subset_unknown_names_and_damage(source, clean_target, tmp_path):
    d = tmp_path / "two"
    assert dumpcore("dump", "-B", SHOP, ODD, "-o", str(d), "-q", *conn_args(source)).returncode == 0
    out = dumpcore("restore", str(d), "--databases", ODD, "-q", *conn_args(clean_target))
    assert out.returncode == 0, out.stderr
    with clean_target.connect() as c:
        assert not c.query(f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{SHOP}'")
    _same(source, clean_target, [ODD])
    # All of it now: ODD's pre-flight refuses (its keyless table holds rows, its triggers would fire),
    # so not even SHOP, which passes, is written.
    again = dumpcore("restore", str(d), *conn_args(clean_target))
    assert again.returncode == 1 and b"restore refused before writing anything" in again.stderr, again.stderr
    with clean_target.connect() as c:
        assert not c.query(f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{SHOP}'")
    # --resume: ODD's journal says it is done (nothing loaded again), SHOP never began (loaded from the start).
    resumed = dumpcore("restore", str(d), "--resume", "--json", *conn_args(clean_target))
    assert resumed.returncode == 0, resumed.stderr
    tables = json.loads(resumed.stdout)["tables"]
    loaded = {name: sum(t["chunks"] for t in tables if t["name"].startswith(name + ".")) for name in NAMES}
    skipped = {name: sum(t["skipped_chunks"] for t in tables if t["name"].startswith(name + ".")) for name in NAMES}
    assert loaded[SHOP] > 0 and skipped[SHOP] == 0 and loaded[ODD] == 0 and skipped[ODD] > 0
    _same(source, clean_target)
    with clean_target.connect() as c:
        c.execute(f"DROP DATABASE {quote_ident(SHOP)}")

    def error(*args: str, code: int) -> str:
        r = dumpcore(*args)
        text = r.stderr.decode()
        assert r.returncode == code and text.count("\n") == 1 and text.startswith("Error: "), text
        return text

    assert f"database `nosuch` is not in the dump {d}" in error(
        "restore", str(d), "--databases", "nosuch", *conn_args(clean_target), code=1)
    assert "whole-server dump restores each database under its own name" in error(
        "restore", str(d), "-D", "other", *conn_args(clean_target), code=2)
    assert "database `nosuch` not found on the server" in error(
        "dump", "-B", SHOP, "nosuch", "-o", str(tmp_path / "x"), *conn_args(source), code=1)
    assert not (tmp_path / "x").exists()
    assert "-A dumps every database and takes no names" in error("dump", "-A", SHOP, "--stdout", code=2)
    assert "--databases picks databases of a dump made with -B/-A" in error(
        "restore", str(d / quote(ODD, safe="")), "--databases", ODD, code=2)

    # A damaged chunk in the second database: nothing is written, not even the first database.
    chunk = sorted((d / quote(ODD, safe="") / "data").iterdir())[0]
    chunk.write_bytes(chunk.read_bytes()[:-5] + b"XXXXX")
    with clean_target.connect() as c:
        c.execute(f"DROP DATABASE {quote_ident(ODD)}")
    text = error("restore", str(d), *conn_args(clean_target), code=1)
    assert f"{quote(ODD, safe='')}/data/{chunk.name}" in text and "nothing was written" in text
    with clean_target.connect() as c:
        assert not c.query(f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('{SHOP}')")
    bad = dumpcore("verify", str(d))
    assert bad.returncode == 1 and f"corrupt: {quote(ODD, safe='')}/data/{chunk.name}".encode() in bad.stdout
    assert dumpcore("cat", str(d)).stdout == b""  # a damaged dump emits nothing


def test_one_snapshot_covers_every_database(source, tmp_path):
    """Each writer transaction inserts the same id into two databases: a dump whose
    databases came from separate snapshots would hold different rows in them."""
    pair = ["ws_left", "ws_right"]
    with source.connect() as c:
        for name in pair:
            c.execute(f"CREATE DATABASE {name}")
            c.execute(f"CREATE TABLE {name}.t (id INT PRIMARY KEY, pad VARCHAR(200))")
            c.execute(f"INSERT INTO {name}.t SELECT seq, REPEAT('p', 200) FROM {name}.seq_1_to_20000")
    stop = threading.Event()
    done = []

    def writer() -> None:
        with source.connect() as w:
            k = 100000
            while not stop.is_set():
                w.execute("START TRANSACTION")
                w.execute(f"INSERT INTO ws_left.t VALUES ({k}, 'w')")
                w.execute(f"INSERT INTO ws_right.t VALUES ({k}, 'w')")
                w.execute("COMMIT")
                done.append(k)
                k += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(done) < 10:
            threading.Event().wait(0.01)
        summary = dump_databases_to_directory(source, pair, tmp_path / "pair", DumpOptions(statement_size=8192))
        count_after = len(done)
    finally:
        stop.set()
        thread.join()
        with source.connect() as c:
            for name in pair:
                c.execute(f"DROP DATABASE IF EXISTS {name}")
    left, right = (s.rows for s in summary.databases)
    assert left == right and 20010 <= left < 20000 + count_after + 1
    assert count_after > left - 20000  # the writer kept committing while the dump ran


def test_print_replication_of_a_whole_server_dump(source, tmp_path):
    d = tmp_path / "one"
    assert dumpcore("dump", "-B", SHOP, "-o", str(d), "-q", *conn_args(source)).returncode == 0
    shown = dumpcore("restore", "--print-replication", str(d))
    assert shown.returncode == 0 and b"binary log is off" in shown.stdout  # the sandbox runs without binlog
