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


def test_the_manifest_hashed_and_written_in_pieces_is_the_whole_json_of_before(tmp_path):
    """The manifest's self-hash and its file are made a piece at a time (a table a piece:
    50,000 tables are ~60 MB of JSON). The hash must be XXH3-128 of the whole canonical JSON,
    as every earlier version computed it and every committed dump here holds it, and the
    file the same text as one render: checked on generated manifests (nested objects,
    non-ASCII keys and values, empty lists, lists of values, of objects, mixed) and on
    every committed dump's manifest."""
    import random

    import xxhash

    from dumpcore.store.manifest import SELF_HASH_FIELD, canonical_hash, read_manifest, render, write_manifest

    def whole(data: dict) -> str:
        body = {k: v for k, v in data.items() if k != SELF_HASH_FIELD}
        return xxhash.xxh3_128_hexdigest(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                    ensure_ascii=False).encode("utf-8"))

    def whole_render(data: dict) -> str:
        def value(v):
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                return "[\n  " + ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in v) + "\n ]"
            return json.dumps(v, ensure_ascii=False)
        return "{\n" + ",\n".join(f" {json.dumps(k, ensure_ascii=False)}: {value(v)}" for k, v in data.items()) + "\n}\n"

    rnd = random.Random(7)
    words = ["a", "b", "zz", "é", "名前", "x\"y", "back\\slash", "tab\t", "", "0", "Z"]

    def gen(depth: int):
        kind = rnd.randrange(8 if depth < 3 else 4)
        if kind == 0:
            return rnd.choice(words)
        if kind == 1:
            return rnd.choice([0, -1, 2**64, 1.5, True, False, None])
        if kind == 2:
            return []
        if kind == 3:
            return [rnd.choice(words) for _ in range(rnd.randrange(1, 4))]
        if kind in (4, 5):
            return [{rnd.choice(words): gen(depth + 1) for _ in range(rnd.randrange(0, 4))}
                    for _ in range(rnd.randrange(1, 5))]
        if kind == 6:
            return [{"k": 1}, "not an object"]
        return {rnd.choice(words): gen(depth + 1) for _ in range(rnd.randrange(0, 4))}

    for n in range(300):
        data = {rnd.choice(words) + str(i): gen(0) for i in range(rnd.randrange(0, 8))}
        if n % 2:
            data[SELF_HASH_FIELD] = "left out of its own hash"
        assert canonical_hash(data) == whole(data), data
        assert render(data) == whole_render(data), data
    data = {"tables": [{"name": "t", "é": [1, {"b": 2, "a": None}]}], "database": "名前"}
    write_manifest(tmp_path, data)
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(text)[SELF_HASH_FIELD] == whole(data)
    assert text == whole_render({**data, SELF_HASH_FIELD: whole(data)})
    for d in DUMP_DIRS:  # written by earlier versions: each holds the whole JSON's hash
        written = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        assert written[SELF_HASH_FIELD] == canonical_hash(written) == whole(written), d.name
        read_manifest(d)  # checks it too
