"""``restore --follow``: a restore that loads a dump's chunks while a dump, running in a
process of its own, still writes them -- into a local directory and to the S3 server the
tests start (tests/s3server.py) -- compared raw with the source and proven against the
final manifest; a dump killed half-way stops the follower with one line; a damaged chunk
is refused as it arrives, before anything of it is written."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from clirun import DUMPCORE, conn_args
from dbcompare import assert_same_database
from dumpcore.store import objectstore

FOLLOW_NOTE = "--follow: each chunk is checked as it arrives, not all before the first write"


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(DUMPCORE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def slowed(tmp_path: Path) -> dict:
    """The environment of a dump slowed down: each rename (a stored chunk's, among others)
    waits 10 ms, so the follower sees the dump's chunks arrive over seconds, not at once."""
    slow = tmp_path / "slow"
    slow.mkdir(exist_ok=True)
    (slow / "sitecustomize.py").write_text(
        "import os, time\n"
        "def _slow(real):\n"
        "    def call(*args, **kwargs):\n"
        "        time.sleep(0.01)\n"
        "        return real(*args, **kwargs)\n"
        "    return call\n"
        "os.replace = _slow(os.replace)\n")
    return {"PYTHONPATH": str(slow)}


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(), err.decode()


def committed_files(summary: dict) -> list[str]:
    lines = Path(summary["journal"]).read_text().splitlines()
    return [json.loads(line)["file"] for line in lines if '"event":"commit"' in line]


def records(out: Path) -> int:
    """Chunk records a local dump being written to ``out`` has left for a follower (the
    complete lines of its .follow/chunks.jsonl)."""
    n = 0
    for p in out.parent.glob(f".{out.name}.partial-*"):
        try:
            n += (p / ".follow" / "chunks.jsonl").read_bytes().count(b"\n")
        except FileNotFoundError:
            pass
    return n


SMALL_CHUNKS = ("--chunk-size", "4KiB", "--statement-size", "2KiB")


def follow_and_dump(server, world: str, db: str, source: str, tmp_path: Path, *extra: str) -> tuple[dict, str]:
    """The follower first (it waits for the dump), then a parallel dump of small chunks,
    slowed (parts are named apart until the end, so a chunk loaded under a part's name was
    loaded while the dump ran). Returns the restore's summary and its stderr."""
    follower = start("restore", source, "--follow", "--follow-timeout", "120", "--database", db, "--parallel", "2",
                     "--json", *extra, *conn_args(server))
    dump = start("dump", world, "-o", source, *SMALL_CHUNKS, "-w", "2", "-q", *extra, *conn_args(server),
                 env=slowed(tmp_path))
    rc, _, dump_err = finish(dump)
    assert rc == 0, dump_err
    rc, out, err = finish(follower)
    assert rc == 0, err
    return json.loads(out), err


def test_restore_follows_a_local_dump_while_it_is_written(server, conn, world, db, tmp_path, monkeypatch):
    monkeypatch.setenv("DUMPCORE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "dump"
    summary, err = follow_and_dump(server, world, db, str(out), tmp_path)
    assert FOLLOW_NOTE in err
    assert summary["proof"] == "proven" and summary["complete"] and summary["total_rejected"] == 0
    assert assert_same_database(conn, world, db) == summary["total_rows"] > 15000
    manifest = json.loads((out / "manifest.json").read_text())
    chunks = [c for t in manifest["tables"] for c in t["chunks"]]
    commits = committed_files(summary)
    assert len(commits) == len(chunks) > 100
    early = [f for f in commits if ".part" in f]
    assert len(early) > len(commits) // 2, f"{len(early)} of {len(commits)} chunks loaded while the dump ran"
    assert not list(out.rglob(".follow*")), "a published dump holds no follow records"
    assert not list((tmp_path / "cache" / "follow").rglob("data/*.sql")), "the links to the dump's chunks go"


def test_a_follower_started_after_the_dump_restores_it_whole(server, conn, world, db, tmp_path, monkeypatch):
    monkeypatch.setenv("DUMPCORE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "dump"
    rc, _, err = finish(start("dump", world, "-o", str(out), "--chunk-size", "64KiB", "-q", *conn_args(server)))
    assert rc == 0, err
    rc, stdout, err = finish(start("restore", str(out), "--follow", "--database", db, "--json", *conn_args(server)))
    assert rc == 0, err
    assert json.loads(stdout)["proof"] == "proven"
    assert_same_database(conn, world, db)


def test_a_killed_dump_stops_the_follower_with_one_line(server, conn, world, db, tmp_path, monkeypatch):
    monkeypatch.setenv("DUMPCORE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "dump"
    follower = start("restore", str(out), "--follow", "--follow-timeout", "60", "--database", db, "-q",
                     *conn_args(server))
    dump = start("dump", world, "-o", str(out), *SMALL_CHUNKS, "-w", "1", "-q", *conn_args(server),
                 env=slowed(tmp_path))
    deadline = time.monotonic() + 60
    following = tmp_path / "cache" / "follow"
    while time.monotonic() < deadline and dump.poll() is None and (records(out) < 5 or not any(
            following.glob("*/schema.sql"))):  # the follower has found the dump
        time.sleep(0.005)
    dump.send_signal(signal.SIGKILL)
    dump.communicate()
    assert records(out) >= 5 and not (out / "manifest.json").exists(), "the kill must land mid-dump"
    killed = time.monotonic()
    rc, _, err = finish(follower, timeout=60)
    lines = err.strip().splitlines()
    assert rc != 0 and lines[-1].startswith("Error: --follow: the dump to ") and "stopped without a manifest" in \
        lines[-1] and f"process {dump.pid} is gone" in lines[-1] and "--cleanup" in lines[-1], err
    assert time.monotonic() - killed < 30, "a dump whose process is gone is told at once, not after the timeout"
    assert FOLLOW_NOTE in err and not any(line.startswith("Error") for line in lines[:-1])

    # a follower started after the dump died is told at once too
    t0 = time.monotonic()
    rc, _, err = finish(start("restore", str(out), "--follow", "--database", db, "-q", *conn_args(server)))
    line = err.strip().splitlines()[-1]
    assert rc != 0 and "stopped without a manifest" in line and f"process {dump.pid} is gone" in line, err
    assert time.monotonic() - t0 < 30


def test_restore_follows_a_dump_to_s3_while_it_is_written(server, conn, world, db, s3, tmp_path):
    bucket, endpoint = s3
    url = f"{bucket}/follow/world"
    summary, err = follow_and_dump(server, world, db, url, tmp_path, "--endpoint-url", endpoint)
    assert summary["proof"] == "proven" and summary["complete"]
    assert assert_same_database(conn, world, db) == summary["total_rows"]
    commits = committed_files(summary)
    assert len([f for f in commits if ".part" in f]) > len(commits) // 2, "chunks loaded before the dump was complete"
    stored = objectstore.open_location(url, endpoint).list()
    assert "manifest.json" in stored and not [n for n in stored if n.startswith(".follow")], sorted(stored)[:5]


def test_a_dump_to_s3_that_stops_stops_the_follower_after_the_timeout(server, world, db, s3, tmp_path):
    bucket, endpoint = s3
    url = f"{bucket}/follow/killed"
    loc = objectstore.open_location(url, endpoint)
    follower = start("restore", url, "--follow", "--follow-timeout", "3", "--endpoint-url", endpoint,
                     "--database", db, "-q", *conn_args(server))
    dump = start("dump", world, "-o", url, "--endpoint-url", endpoint, *SMALL_CHUNKS, "-w", "1", "-q",
                 *conn_args(server), env=slowed(tmp_path))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and dump.poll() is None and len(loc.list(".follow/")) < 6:
        time.sleep(0.02)
    dump.send_signal(signal.SIGKILL)
    dump.communicate()
    assert "manifest.json" not in loc.list(), "the kill must land mid-dump"
    killed = time.monotonic()
    rc, _, err = finish(follower, timeout=60)
    line = err.strip().splitlines()[-1]
    assert rc != 0 and line.startswith("Error: --follow: the dump to ") and "nothing new for 3 s" in line, err
    assert time.monotonic() - killed < 25


def test_a_damaged_chunk_is_refused_as_it_arrives_before_its_write(server, world, db, tmp_path, monkeypatch):
    """A dump being written, laid out by hand from a complete one (a live process owns its
    partial directory): the records say what each chunk holds, one chunk's bytes differ."""
    from dumpcore.store.follow import CHUNK_LOG, HEAD, RECORDS, chunk_record, head_record

    monkeypatch.setenv("DUMPCORE_CACHE_DIR", str(tmp_path / "cache"))
    complete = tmp_path / "complete"
    rc, _, err = finish(start("dump", world, "-o", str(complete), *SMALL_CHUNKS, "-q", *conn_args(server)))
    assert rc == 0, err
    manifest = json.loads((complete / "manifest.json").read_text())
    owner = subprocess.Popen(["sleep", "60"])
    try:
        partial = tmp_path / f".dump.partial-{owner.pid}"
        shutil.copytree(complete, partial, ignore=shutil.ignore_patterns("manifest.json"))
        head = {**manifest, "tables": [{**t, "rows": 0, "bytes": 0, "chunks": []} for t in manifest["tables"]]}
        files = {f["file"]: (f["bytes"], f["xxh3_128"]) for f in manifest["other_files"]}
        (partial / RECORDS).mkdir()
        (partial / HEAD).write_bytes(head_record(head, files))
        chunks = [(t["name"], c) for t in manifest["tables"] for c in t["chunks"]]
        # one line a chunk, and last a line the dump is still writing (read once it is whole)
        (partial / CHUNK_LOG).write_bytes(b"".join(chunk_record(c["file"], table, c) + b"\n" for table, c in chunks)
                                          + chunk_record(chunks[0][1]["file"], chunks[0][0], chunks[0][1])[:40])
        bad = chunks[len(chunks) // 2][1]["file"]
        data = bytearray((partial / bad).read_bytes())
        data[len(data) // 2] ^= 0x01  # same size: only the hash can tell
        (partial / bad).write_bytes(bytes(data))

        rc, _, err = finish(start("restore", str(tmp_path / "dump"), "--follow", "--follow-timeout", "30",
                                  "--database", db, "--json", *conn_args(server)))
    finally:
        owner.kill()
        owner.wait()
    line = err.strip().splitlines()[-1]
    assert rc != 0 and line.startswith("Error: ") and bad in line and "its bytes differ from what the dump " \
        "recorded" in line and "nothing of it was loaded" in line, err
    journal = next((tmp_path / "cache" / "follow").glob("*/journal/*/*.jsonl")).read_text()  # journal/<server>/<db>
    assert f'"file":"{bad}"' not in journal, "the damaged chunk was begun"
