"""Dumps to and from object storage, against a real S3-compatible server the tests start
(tests/s3server.py: moto's standalone server on 127.0.0.1)."""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from conftest import run_client
from conftest import journal_file
from dbcompare import assert_same_database, checksum, table_names
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions
from dumpcore.store.upload import dump_to_store
from dumpcore.errors import OutputError
from dumpcore.sandbox.sample import create_school
from dumpcore.store.compression import parse_compression
from dumpcore.store import objectstore
from s3server import SECRET_KEY


def drop(server, name: str) -> None:
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def corrupt(loc: objectstore.Location, name: str, tmp_path: Path) -> None:
    """Flip one byte in the middle of a stored object (same size: only the hash can tell)."""
    data = bytearray(b"".join(loc.blocks(name)))
    data[len(data) // 2] ^= 0x01
    path = tmp_path / "damaged"
    path.write_bytes(bytes(data))
    loc.put_file(name, path)


def kill_when(proc: subprocess.Popen, ready, timeout: float = 60) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` holds (or at the timeout)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None and not ready():
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_world_round_trip_through_s3_is_exact(server, conn, world, s3, tmp_path, db):
    bucket, endpoint = s3
    url = f"{bucket}/backups/world"
    proc = dumpcore("dump", world, "-o", url, "--endpoint-url", endpoint, "--chunk-size", "256KiB", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert f"dump written to {url}" in proc.stderr.decode()
    stored = objectstore.open_location(url, endpoint).list()
    manifest = json.loads(objectstore.open_location(url, endpoint).read_bytes("manifest.json"))
    chunks = [c for t in manifest["tables"] for c in t["chunks"]]
    assert len(chunks) > 4 and all(stored[c["file"]] == c["bytes"] for c in chunks)
    listed = {c["file"] for c in chunks} | {f["file"] for f in manifest["other_files"]} | {"manifest.json"}
    assert set(stored) == listed, "a parallel dump's parts are stored under their final names only"
    assert not list((tmp_path / "cache" / "staging").rglob("*.sql")), "the staged copy is removed once published"

    drop(server, db)
    proc = dumpcore("restore", url, "--endpoint-url", endpoint, "--database", db, "--parallel", "2", "--json",
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    assert summary["proof"] == "proven" and summary["total_rejected"] == 0
    assert assert_same_database(conn, world, db) == summary["total_rows"] > 15000

    proc = dumpcore("verify", url, "--endpoint-url", endpoint)
    assert proc.returncode == 0 and b"OK: every chunk matches its hash" in proc.stdout, proc.stderr.decode()
    proc = dumpcore("verify", url, "--endpoint-url", endpoint, "--against", db, *conn_args(server))
    assert proc.returncode == 0 and b"holds what the dump holds" in proc.stdout, proc.stdout.decode()

    # cat streams the same dump: loaded into a third database it is the source again
    stream = dumpcore("cat", url, "--endpoint-url", endpoint)
    assert stream.returncode == 0, stream.stderr.decode()
    third = f"{db}_cat"
    drop(server, third)
    conn.execute(f"CREATE DATABASE {quote_ident(third)} CHARACTER SET utf8mb4")
    try:
        run_client(server, stream.stdout, third)
        assert assert_same_database(conn, world, third, objects=False) == summary["total_rows"]
    finally:
        drop(server, third)


def test_compressed_dump_round_trip_and_no_overwrite(server, conn, world, s3, db):
    bucket, endpoint = s3
    url = f"{bucket}/z"
    summary = dump_to_store(server, world, url, DumpOptions(chunk_size=512 << 10,
                                                            compression=parse_compression("zstd")),
                            endpoint_url=endpoint)
    assert summary.output == url and summary.rows > 15000
    assert any(n.endswith(".sql.zst") for n in objectstore.open_location(url, endpoint).list())
    with pytest.raises(OutputError, match="holds a dump already"):
        dump_to_store(server, world, url, endpoint_url=endpoint)
    drop(server, db)
    proc = dumpcore("restore", url, "--endpoint-url", endpoint, "--database", db, *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert assert_same_database(conn, world, db) == summary.rows


def test_damaged_chunk_is_found_before_anything_is_written(server, conn, world, s3, tmp_path, db):
    bucket, endpoint = s3
    url = f"{bucket}/damaged"
    dump_to_store(server, world, url, DumpOptions(chunk_size=256 << 10), endpoint_url=endpoint)
    loc = objectstore.open_location(url, endpoint)
    manifest = json.loads(loc.read_bytes("manifest.json"))
    last = manifest["tables"][-1]["chunks"][-1]["file"]  # the last one loaded: found anyway, before the first
    corrupt(loc, last, tmp_path)
    drop(server, db)
    proc = dumpcore("restore", url, "--endpoint-url", endpoint, "--database", db, *conn_args(server))
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert err.startswith("Error: ") and last in err and "nothing was loaded" in err, err
    assert not conn.query_text(f"SHOW DATABASES LIKE '{db}'"), "the restore created the target"
    # into an existing database: not a row written
    conn.execute(f"CREATE DATABASE {quote_ident(db)}")
    before = checksum(conn, db)
    assert dumpcore("restore", url, "--endpoint-url", endpoint, "--database", db, *conn_args(server)).returncode != 0
    assert checksum(conn, db) == before and not table_names(conn, db)
    proc = dumpcore("verify", url, "--endpoint-url", endpoint)
    assert proc.returncode != 0 and last in proc.stderr.decode()


def test_killed_dump_leaves_no_manifest_and_the_next_dump_says_so(server, world, s3, tmp_path):
    bucket, endpoint = s3
    url = f"{bucket}/killed"
    loc = objectstore.open_location(url, endpoint)
    # the store stops taking bytes after 600 KiB (of ~0.9 MB): the dump is killed with its upload half done
    proxy = Proxy(int(endpoint.rsplit(":", 1)[1]), stall_up=600 << 10)
    try:
        proc = subprocess.Popen([str(DUMPCORE), "dump", world, "-o", url, "--endpoint-url", proxy.endpoint,
                                 "--chunk-size", "64KiB", "-q", *conn_args(server)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(proc, lambda: proxy.stalled("up"))
        time.sleep(0.5)  # what reached the server before the stall is stored
    finally:
        proxy.close()
    left = loc.list()
    assert left and "manifest.json" not in left, f"not killed mid-upload: {len(left)} objects, {sum(left.values())} bytes"

    proc = dumpcore("dump", world, "-o", url, "--endpoint-url", endpoint, *conn_args(server))
    err = proc.stderr.decode()
    assert proc.returncode != 0 and err.startswith("Error: ") and "no manifest.json" in err and "remove" in err, err
    assert len(err.strip().splitlines()) == 1
    proc = dumpcore("restore", url, "--endpoint-url", endpoint, "--database", "never_made", *conn_args(server))
    assert proc.returncode != 0 and "manifest.json: missing" in proc.stderr.decode()


def test_interrupted_fetch_resumes_with_the_files_already_checked(server, world, s3):
    bucket, endpoint = s3
    url = f"{bucket}/resume"
    dump_to_store(server, world, url, DumpOptions(chunk_size=256 << 10), endpoint_url=endpoint)
    loc = objectstore.open_location(url, endpoint)
    local = objectstore.cache_dir("fetched", loc.url)
    _, whole = objectstore.fetch_dump(loc, local)
    # as if killed half-way: the manifest (written last) and half the chunks not there yet
    chunks = sorted(local.glob("data/*"))
    gone = chunks[: len(chunks) // 2]
    for p in gone + [local / "manifest.json"]:
        p.unlink()
    _, again = objectstore.fetch_dump(loc, local)
    manifest_size = loc.list()["manifest.json"]
    assert again == sum(p_size for p_size in [loc.list()[f"data/{p.name}"] for p in gone]) + manifest_size < whole
    assert dumpcore("verify", str(local)).returncode == 0


def test_a_secret_never_appears_in_output_or_files(server, world, s3, tmp_path, db):
    bucket, endpoint = s3
    url = f"{bucket}/secret"
    runs = [dumpcore("dump", world, "-o", url, "--endpoint-url", endpoint, "--json", *conn_args(server)),
            dumpcore("restore", url, "--endpoint-url", endpoint, "--database", db, "--json", *conn_args(server)),
            dumpcore("verify", url, "--endpoint-url", endpoint, "--json"),
            # failures: a server that is not there, a bucket that is not there
            dumpcore("verify", url, "--endpoint-url", "http://127.0.0.1:9"),
            dumpcore("dump", world, "-o", "s3://no-such-bucket-dumpcore/x", "--endpoint-url", endpoint,
                     *conn_args(server))]
    assert [r.returncode for r in runs[:3]] == [0, 0, 0], [r.stderr.decode() for r in runs]
    assert runs[3].returncode != 0 and runs[3].stderr.decode().startswith("Error: ")
    assert runs[4].returncode != 0 and runs[4].stderr.decode().startswith("Error: ")
    secret = SECRET_KEY.encode()
    for r in runs:
        assert secret not in r.stdout and secret not in r.stderr
    loc = objectstore.open_location(url, endpoint)
    for name in loc.list():
        assert secret not in b"".join(loc.blocks(name)), name
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_bad_urls_and_options_are_one_line_errors(server, world, s3):
    bucket, endpoint = s3
    proc = dumpcore("dump", "-B", world, "-o", f"{bucket}/many", "--endpoint-url", endpoint, *conn_args(server))
    assert proc.returncode == 2 and "one database" in proc.stderr.decode()
    proc = dumpcore("restore", f"{bucket}/nothing-here", "--endpoint-url", endpoint, *conn_args(server))
    assert proc.returncode != 0 and "manifest.json: missing" in proc.stderr.decode()
    assert len(proc.stderr.decode().strip().splitlines()) == 1


@pytest.fixture
def school_in_s3(server, s3):
    """The sample school (half scale) dumped to a new bucket in small chunks: (source, url, endpoint, chunks)."""
    bucket, endpoint = s3
    name = "school_s3_src"
    with server.connect() as c:
        create_school(c, name, scale=0.5)
    url = f"{bucket}/school"
    summary = dump_to_store(server, name, url, DumpOptions(chunk_size=16 << 10, statement_size=8 << 10),
                            endpoint_url=endpoint)
    yield name, url, endpoint, sum(len(t.chunks) for t in summary.tables)
    drop(server, name)


def test_restore_killed_mid_download_then_mid_load_resumes_exactly(server, conn, school_in_s3, db):
    name, url, endpoint, total_chunks = school_in_s3
    assert total_chunks >= 30
    local = objectstore.cache_dir("fetched", url)
    args = ["restore", url, "--endpoint-url", endpoint, "--database", db, "--parallel", "2"]
    drop(server, db)

    # killed while fetching (the store stops answering after 256 KiB): some chunks checked and
    # kept, no manifest in the copy, nothing loaded
    proxy = Proxy(int(endpoint.rsplit(":", 1)[1]), stall_down=256 << 10)
    try:
        proc = subprocess.Popen([str(DUMPCORE), *[proxy.endpoint if a == endpoint else a for a in args], "-q",
                                 *conn_args(server)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(proc, lambda: proxy.stalled("down") and len(list(local.glob("data/*.sql"))) >= 5)
    finally:
        proxy.close()
    fetched = list(local.glob("data/*.sql"))
    assert 5 <= len(fetched) < total_chunks and not (local / "manifest.json").exists(), "the kill must land mid-fetch"
    assert not conn.query_text(f"SHOW DATABASES LIKE '{db}'")

    # run again: the fetch goes on; killed this time once a few chunks are committed
    journal = journal_file(local, server, db)
    proc = subprocess.Popen([str(DUMPCORE), *args, "-q", *conn_args(server)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    kill_when(proc, lambda: journal.exists() and journal.read_text().count('"event":"commit"') >= 3)
    first_commits = [json.loads(line)["file"] for line in journal.read_text().splitlines()
                     if '"event":"commit"' in line]
    assert 3 <= len(first_commits) < total_chunks, "the kill must land half-way through the load"

    res = dumpcore(*args, "--resume", "--json", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    summary = json.loads(res.stdout)
    assert summary["skipped_chunks"] >= len(first_commits) and summary["proof"] == "proven"
    assert summary["loaded_chunks"] + summary["skipped_chunks"] == total_chunks
    assert_same_database(conn, name, db)  # the keyless audit log included: no row twice


class Proxy:
    """A TCP proxy on 127.0.0.1 in front of the S3 server. ``drops``: its first connections
    are reset at once (a lost connection, as a throttling load balancer or a restart gives).
    ``stall_up`` / ``stall_down``: after that many bytes to / from the server it forwards
    nothing more in that direction (a store that stopped answering), so a command can be
    killed in the middle of an upload or a download at a point the test chooses."""

    def __init__(self, target_port: int, drops: int = 0, stall_up: int | None = None, stall_down: int | None = None):
        self.target_port, self.drops = target_port, drops
        self.limits = {"up": stall_up, "down": stall_down}
        self.moved = {"up": 0, "down": 0}
        self.lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.dropped = 0
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def stalled(self, direction: str) -> bool:
        limit = self.limits[direction]
        return limit is not None and self.moved[direction] >= limit

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                continue
            if self.dropped < self.drops:
                self.dropped += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()  # a reset, not an answer
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b, direction in ((client, upstream, "up"), (upstream, client, "down")):
                threading.Thread(target=self._pipe, args=(a, b, direction), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while data := src.recv(1 << 16):
                with self.lock:
                    limit = self.limits[direction]
                    if limit is not None:
                        data = data[: max(0, limit - self.moved[direction])]
                    self.moved[direction] += len(data)
                if data:
                    dst.sendall(data)
                if self.stalled(direction):
                    self.stop.wait()  # hold the connection open, forward nothing more
                    return
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_lost_connections_are_retried_with_back_off(server, conn, world, s3, db):
    bucket, endpoint = s3
    proxy = Proxy(int(endpoint.rsplit(":", 1)[1]), drops=3)
    try:
        via = proxy.endpoint
        url = f"{bucket}/flaky"
        summary = dump_to_store(server, world, url, DumpOptions(chunk_size=256 << 10), endpoint_url=via)
        assert proxy.dropped == 3, "the connections were not dropped"
        proxy.dropped, proxy.drops = 0, 3
        drop(server, db)
        proc = dumpcore("restore", url, "--endpoint-url", via, "--database", db, "--json", *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        assert proxy.dropped == 3
        assert assert_same_database(conn, world, db) == summary.rows
    finally:
        proxy.close()


def test_an_operation_is_tried_again_only_after_a_lost_connection(monkeypatch):
    from dumpcore.errors import StorageError
    from dumpcore.store import objectstore

    monkeypatch.setattr(objectstore, "AGAIN", (0, 0, 0))
    calls, rewinds = [], []

    def flaky(fails: int, message: str):
        def attempt():
            calls.append(1)
            if len(calls) <= fails:
                raise RuntimeError(f"Generic S3 error: HTTP error: {message}")
            return "done"
        return attempt
    # lost connections: tried again (rewound before each new try) until it succeeds
    assert objectstore._again("s3://b/p", "list", flaky(3, "error sending request"), lambda: rewinds.append(1)) == "done"
    assert len(calls) == 4 and len(rewinds) == 3
    # one more than the tries allowed: a one-line StorageError naming what failed
    calls.clear()
    with pytest.raises(StorageError, match=r"^s3://b/p: cannot list \(RuntimeError: .*error sending request"):
        objectstore._again("s3://b/p", "list", flaky(4, "error sending request"))
    assert len(calls) == 4
    # any other error: not tried again here (the library's own retries came first)
    calls.clear()
    with pytest.raises(StorageError, match="Access Denied"):
        objectstore._again("s3://b/p", "list", flaky(1, "Access Denied"))
    assert len(calls) == 1
    # a missing object: through as FileNotFoundError only where the caller answers it
    def missing():
        raise FileNotFoundError("no such object")
    with pytest.raises(FileNotFoundError):
        objectstore._again("s3://b/p", "read x", missing, missing=True)
    with pytest.raises(StorageError, match="cannot copy"):
        objectstore._again("s3://b/p", "copy a to b", missing)
