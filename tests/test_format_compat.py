"""Dumps written by earlier versions keep restoring (docs/file-format.md, "Versioning").

tests/data/compat/ holds dumps committed as each version wrote them, from the database that
tests/data/compat/source.sql builds: a plain directory (format_version 1), a compressed one
(format_version 2) and `dump --stdout` streams (before and after the keyless-table guard).
Each is verified, restored by today's code and compared with a database built from source.sql:
the same tables, rows (raw bytes), views, triggers, routines and sequence. A change that
misreads an old dump fails here. A version that changes the format adds its own dumps beside
these (tests/data/compat/README.md); none is ever regenerated.
"""
from __future__ import annotations

import json
import shutil

import pytest

from clirun import conn_args, dumpcore
from conftest import REPO, run_client
from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident

COMPAT = REPO / "tests" / "data" / "compat"
DUMP_DIRS = sorted(p for p in COMPAT.glob("dumpcore-*") if p.is_dir())
STREAMS = sorted(COMPAT.glob("dumpcore-*.sql"))


@pytest.fixture
def source(server, db) -> str:
    """The database the committed dumps were made from, built again from source.sql."""
    run_client(server, (COMPAT / "source.sql").read_bytes(), database=db)
    return db


@pytest.fixture
def target(server, db):
    name = f"{db}_restored"
    yield name
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def test_the_committed_dumps_cover_both_format_versions():
    versions = {json.loads((d / "manifest.json").read_text())["format_version"] for d in DUMP_DIRS}
    assert {1, 2, 3} <= versions, versions
    assert STREAMS


@pytest.mark.parametrize("committed", DUMP_DIRS, ids=lambda p: p.name)
def test_a_dump_of_an_earlier_version_verifies_restores_and_equals_its_source(server, conn, source, target,
                                                                               committed, tmp_path):
    dump_dir = tmp_path / committed.name  # a copy: restore keeps its journal in a writable dump directory
    shutil.copytree(committed, dump_dir)
    checked = dumpcore("verify", str(dump_dir), "--decompress")
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    restored = dumpcore("restore", str(dump_dir), "-D", target, "--parallel", "2", *conn_args(server))
    assert restored.returncode == 0, restored.stderr.decode()
    assert "complete" in restored.stderr.decode()
    assert assert_same_database(conn, source, target) == 402  # 4 teams, 394 people, 4 events (two of them the same)
    against = dumpcore("verify", str(dump_dir), "--against", target, *conn_args(server))
    assert against.returncode == 0, against.stdout.decode() + against.stderr.decode()


@pytest.mark.parametrize("stream", STREAMS, ids=lambda p: p.name)
def test_a_stream_of_an_earlier_version_verifies_and_loads_through_the_client(server, conn, source, target, stream):
    checked = dumpcore("verify", str(stream))
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    conn.execute(f"CREATE DATABASE {quote_ident(target)} CHARACTER SET utf8mb4")
    run_client(server, stream.read_bytes(), database=target)
    assert assert_same_database(conn, source, target) == 402
