"""The chunk store (``dump --store STORE``, ``dumpcore gc``; dumpcore/store/chunk_store.py):
dumps share their chunk files by content; verify, restore and diff take ``STORE/dumps/NAME``
as any dump directory; deleting a dump and collecting never deletes a chunk another dump
names (two dumps sharing chunks, one deleted: the other verifies and restores exactly).
"""
from __future__ import annotations

import json
import os

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_chunk_store as dump_to_store
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.store.chunk_store import CHUNKS, DUMPS, collect, dump_names
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.diff import diff_dumps
from dumpcore.verify.verify import verify_directory
from test_diff_repair import _source

SMALL = dict(workers=1, validate="none", chunk_size=2048, statement_size=1024)


def _store_files(store):
    return {p.name: p.stat().st_ino for p in (store / CHUNKS).rglob("*") if p.is_file()}


def test_two_dumps_share_chunks_and_gc_keeps_what_the_other_names(server, conn, db, tmp_path):
    _source(conn, db)
    store = tmp_path / "store"
    first = dump_to_store(server, db, store, "mon", opts=DumpOptions(**SMALL))
    assert first.stored.shared == 0 and first.stored.added == sum(len(t.chunks) for t in first.tables)
    conn.execute(f"UPDATE {quote_ident(db)}.items SET name = 'tuesday' WHERE id = 20")
    second = dump_to_store(server, db, store, "tue", since="latest", opts=DumpOptions(**SMALL))
    assert second.incremental.since.endswith("mon") and second.incremental.ranges_changed == 1
    assert second.stored.added == 1 and second.stored.shared == first.stored.added - 1
    assert dump_names(store) == ["mon", "tue"]
    files = _store_files(store)
    assert len(files) == first.stored.added + 1  # one chunk of Tuesday's is new; the rest are on disk once
    tue = read_manifest(store / DUMPS / "tue")
    for _, c in tue.chunks():  # each chunk of a dump is the store's file, by its hash
        assert os.stat(store / DUMPS / "tue" / c["file"]).st_ino in files.values()
    assert not diff_dumps(store / DUMPS / "mon", store / DUMPS / "tue").equal
    # Monday deleted and collected: only its one chunk Tuesday does not name goes
    report = collect(store, ["mon"])
    assert report.deleted_dumps == ["mon"] and report.deleted_chunks == 1
    assert len(_store_files(store)) == len(files) - 1
    assert verify_directory(store / DUMPS / "tue").ok
    target = db + "_from_store"
    try:
        s = restore(store / DUMPS / "tue", server, RestoreOptions(database=target, parallel=2))
        assert s.failure() is None and s.proof_state() == "proven"
        assert_same_database(conn, db, target, tables=["items", "pairs", "log"])
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    # a chunk a manifest names stays even when no dump links it (a dump's file copied in place)
    _, chunk = next(read_manifest(store / DUMPS / "tue").chunks())
    path = store / DUMPS / "tue" / chunk["file"]
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)
    assert collect(store, []).deleted_chunks == 0 and len(_store_files(store)) == len(files) - 1


def test_store_cli_json_path_and_refusals(server, conn, db, tmp_path):
    _source(conn, db)
    store = tmp_path / "store"
    r = dumpcore("dump", db, "--store", str(store), "--json", *conn_args(server))
    assert r.returncode == 0, r.stderr.decode()
    d = json.loads(r.stdout)
    assert os.path.isfile(os.path.join(d["path"], "manifest.json")) and d["store"]["shared_chunks"] == 0
    again = dumpcore("dump", db, "--store", str(store), "--since", "latest", "--name", "next", "--json",
                     *conn_args(server))
    assert again.returncode == 0, again.stderr.decode()
    assert json.loads(again.stdout)["store"]["added_chunks"] == 0  # nothing changed: every chunk shared
    assert dumpcore("diff", d["path"], str(store / DUMPS / "next")).returncode == 0
    # named: the default name (the UTC second) can be the first dump's when both fall in one second
    gone = dumpcore("dump", db, "--store", str(store), "--since", "nosuch", "--name", "gone", *conn_args(server))
    assert gone.returncode == 2 and "Error: --since nosuch: no dump of that name" in gone.stderr.decode()
    both = dumpcore("dump", db, "--store", str(store), "-o", str(tmp_path / "x"), *conn_args(server))
    assert both.returncode == 2 and "give exactly one of -o DIR, --store STORE or --stdout" in both.stderr.decode()
    g = dumpcore("gc", str(store), "--delete", "next", "--json")
    assert g.returncode == 0, g.stderr.decode()
    out = json.loads(g.stdout)
    assert out["deleted_dumps"] == ["next"] and out["deleted_chunks"] == 0 and len(out["dumps"]) == 1
