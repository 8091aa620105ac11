"""Compressed dumps (--compress zstd): exact round trips, hashes as stored and
uncompressed, damage found before any write, load.sql that refuses, one-line errors."""
import json
import shutil
import subprocess

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, checksum
from dumpcore.store.compression import Compression, decompressed_digest, parse_compression
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import DumpIntegrityError, RestoreError, UsageError
from dumpcore.store.hashing import hash_file
from dumpcore.store.manifest import read_manifest, write_manifest
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sample import create_school
from edge_data import create_edge_database

ZSTD = Compression("zstd", 3)


@pytest.fixture(scope="module")
def edge_zst(server, tmp_path_factory):
    """The every-type database and its compressed dump, made by the CLI (its stderr kept)."""
    name = "edge_zst_src"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        create_edge_database(c, name)
    out = tmp_path_factory.mktemp("edge_zst") / "dump"
    proc = dumpcore("dump", name, "-o", str(out), "--compress", "zstd", "--statement-size", "256KiB",
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    yield name, out, proc.stderr.decode()
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(scope="module")
def school_dumps(server, tmp_path_factory):
    """The school sample dumped twice with the same small chunks: plain and zstd."""
    name = "school_zst_src"
    with server.connect() as c:
        create_school(c, name, scale=0.3)
    base = tmp_path_factory.mktemp("school_zst")
    opts = dict(chunk_size=128 << 10, statement_size=32 << 10)
    dump_to_directory(server, name, base / "plain", DumpOptions(**opts))
    dump_to_directory(server, name, base / "zst", DumpOptions(**opts, compression=ZSTD))
    yield name, base / "plain", base / "zst"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def pipe_into_client(server, argv: list[str], target: str) -> subprocess.CompletedProcess:
    """argv | mariadb TARGET, as a real pipe; the client's result."""
    src = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client = subprocess.run(server.client_command("mariadb", target), stdin=src.stdout, capture_output=True,
                            env=server.client_env())
    src.stdout.close()
    assert src.wait() == 0, src.stderr.read().decode()
    return client


def new_db(server, name: str) -> str:
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
        c.execute(f"CREATE DATABASE {quote_ident(name)} CHARACTER SET utf8mb4")
    return name


def drop(server, name: str) -> None:
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def test_compressed_dump_round_trips_exactly_through_restore_and_cat(server, conn, edge_zst, db):
    name, out, stderr = edge_zst
    files = sorted(p.name for p in (out / "data").iterdir())
    assert files and all(f.endswith(".sql.zst") for f in files)
    assert "compressed with zstd:3" in stderr and "dumpcore cat" in stderr
    res = dumpcore("restore", str(out), "--database", db, "-q", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    assert assert_same_database(conn, name, db) > 60
    target = new_db(server, db + "_cat")
    try:
        client = pipe_into_client(server, [str(DUMPCORE), "cat", str(out)], target)
        assert client.returncode == 0, client.stderr.decode()[-2000:]
        assert_same_database(conn, name, target)
    finally:
        drop(server, target)


def test_cat_of_a_compressed_dump_is_a_verifiable_sql_stream(edge_zst, tmp_path):
    _, out, _ = edge_zst
    stream = tmp_path / "cat.sql"
    with open(stream, "wb") as f:
        assert subprocess.run([str(DUMPCORE), "cat", str(out)], stdout=f).returncode == 0
    m = read_manifest(out)
    sql = stream.read_bytes()
    assert not sql.startswith(b"\x28\xb5\x2f\xfd") and b"INSERT INTO" in sql
    proc = dumpcore("verify", str(stream))
    assert proc.returncode == 0, proc.stdout.decode()
    want = sum(c["uncompressed_bytes"] for _, c in m.chunks())
    assert f"{len(list(m.chunks()))} chunks, {want:,} bytes" in proc.stdout.decode()
    packed = tmp_path / "cat.sql.zst"
    assert subprocess.run(["zstd", "-q", str(stream), "-o", str(packed)]).returncode == 0
    proc = dumpcore("verify", str(packed))
    assert proc.returncode == 1 and "zstd-compressed" in proc.stdout.decode()


def test_load_sql_of_a_compressed_dump_stops_first_and_load_zstd_sh_works(server, conn, edge_zst, db):
    name, out, _ = edge_zst
    load = (out / "scripts" / "load.sql").read_text()
    assert "THIS DUMP IS COMPRESSED" in load and "SOURCE" not in load.replace("cannot SOURCE", "")
    proc = subprocess.run(server.client_command("mariadb", db), stdin=open(out / "scripts" / "load.sql", "rb"),
                          capture_output=True, env=server.client_env(), cwd=out)
    assert proc.returncode == 1
    assert "compressed dump: load.sql cannot SOURCE .zst files; use dumpcore cat DIR | mariadb DB" in proc.stderr.decode()
    assert conn.query_text(f"SHOW TABLES FROM {quote_ident(db)}") == []  # not even the schema
    client = pipe_into_client(server, ["sh", str(out / "scripts" / "load-zstd.sh")], db)
    assert client.returncode == 0, client.stderr.decode()[-2000:]
    assert_same_database(conn, name, db)


def test_manifest_records_stored_and_uncompressed_hashes_with_the_plain_chunk_boundaries(school_dumps):
    _, plain, zst = school_dumps
    p, z = read_manifest(plain), read_manifest(zst)
    assert (p.data["format_version"], p.data["compression"]) == (3, {"method": "none"})
    assert (z.data["format_version"], z.data["compression"]) == (3, {"method": "zstd", "level": 3})
    pc, zc = list(p.chunks()), list(z.chunks())
    assert len(pc) == len(zc) > len(p.tables)  # several chunks per table somewhere
    for (_, a), (_, b) in zip(pc, zc):
        assert b["file"] == a["file"] + ".zst"
        assert (b["rows"], b["fingerprint"]) == (a["rows"], a["fingerprint"])
        assert (b["uncompressed_bytes"], b["uncompressed_xxh3_128"]) == (a["bytes"], a["xxh3_128"])
        assert hash_file(zst / b["file"]) == (b["xxh3_128"], b["bytes"])  # the hash covers the bytes as stored
        assert decompressed_digest(zst / b["file"]) == (a["bytes"], a["xxh3_128"])
    ratio = z.data["totals"]["uncompressed_bytes"] / z.data["totals"]["bytes"]
    assert z.data["totals"]["uncompressed_bytes"] == p.data["totals"]["bytes"] and ratio > 3


def _flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


@pytest.mark.parametrize("damage,kind", [(_flip, "corrupt"), (_truncate, "truncated")])
def test_damaged_zst_chunk_is_found_before_any_write(server, conn, school_dumps, tmp_path, db, damage, kind):
    name, _, zst = school_dumps
    d = tmp_path / "copy"
    shutil.copytree(zst, d)
    restore(d, server, RestoreOptions(database=db, parallel=1))
    conn.execute(f"DELETE FROM {quote_ident(db)}.audit_log")  # so a restore has something to write
    before = checksum(conn, db)
    chunk = max((d / "data").glob("attendance.*.sql.zst"), key=lambda p: p.stat().st_size)
    damage(chunk)
    proc = dumpcore("verify", str(d))
    assert proc.returncode == 1 and f"BAD {kind}: data/{chunk.name}" in proc.stdout.decode()
    res = dumpcore("restore", str(d), "--database", db, "--cleanup", *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and err.startswith("Error: ") and chunk.name in err and len(err.splitlines()) == 1
    cat = subprocess.run([str(DUMPCORE), "cat", str(d)], capture_output=True)
    assert cat.returncode == 1 and cat.stdout == b""
    assert checksum(conn, db) == before  # nothing was written
    # Without the pre-flight, the damaged chunk's transaction is rolled back before COMMIT
    # (the other chunks re-load the same rows): the database is still as it was.
    with pytest.raises((DumpIntegrityError, RestoreError), match=chunk.name):
        restore(d, server, RestoreOptions(database=db, parallel=1, verify=False, tables=["attendance"]))
    assert checksum(conn, db) == before


def test_verify_decompress_names_a_frame_that_does_not_decompress(school_dumps, tmp_path):
    _, _, zst = school_dumps
    d = tmp_path / "copy"
    shutil.copytree(zst, d)
    ok = dumpcore("verify", str(d), "--decompress")
    assert ok.returncode == 0 and "OK: every chunk matches its hash" in ok.stdout.decode()
    # A frame whose stored hash matches a re-written manifest, yet does not decompress.
    m = read_manifest(d)
    entry = next(c for _, c in m.chunks())
    bad = bytearray((d / entry["file"]).read_bytes())
    bad[len(bad) // 2] ^= 0xFF
    (d / entry["file"]).write_bytes(bytes(bad))
    entry["xxh3_128"], entry["bytes"] = hash_file(d / entry["file"])
    write_manifest(d, m.data)
    assert dumpcore("verify", str(d)).returncode == 0  # the stored bytes match their (re-written) hash
    proc = dumpcore("verify", str(d), "--decompress")
    assert proc.returncode == 1 and f"BAD corrupt: {entry['file']}: " in proc.stdout.decode()


def test_verify_against_works_on_a_compressed_dump(server, conn, school_dumps, db):
    name, _, zst = school_dumps
    restore(zst, server, RestoreOptions(database=db, parallel=2))
    assert_same_database(conn, name, db)
    ok = dumpcore("verify", str(zst), "--against", db, *conn_args(server))
    assert ok.returncode == 0 and f"OK: `{db}` holds what the dump holds" in ok.stdout.decode()
    conn.execute(f"DELETE FROM {quote_ident(db)}.attendance LIMIT 1")
    bad = dumpcore("verify", str(zst), "--against", db, *conn_args(server))
    assert bad.returncode == 1 and "DIFFERS table `attendance`" in bad.stdout.decode()


@pytest.mark.parametrize("value", ["gzip", "zstd:0", "zstd:23", "zstd:fast", "none:3", "zstd:"])
def test_bad_compress_values_are_one_line_errors(server, tmp_path, value):
    proc = dumpcore("dump", "any_db", "-o", str(tmp_path / "d"), "--compress", value, *conn_args(server))
    assert proc.returncode == 2
    assert proc.stderr.decode() == (f"Error: --compress takes none, zstd or zstd:LEVEL (LEVEL 1-22), "
                                    f"not {value!r}\n")
    assert not (tmp_path / "d").exists()


def test_compress_with_stdout_is_refused_with_the_pipe_to_use(server, school_dumps):
    name = school_dumps[0]
    proc = dumpcore("dump", name, "--stdout", "--compress", "zstd", *conn_args(server))
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == ("Error: --compress is for directory dumps (-o DIR); compress a stream with a "
                                    f"pipe: dumpcore dump {name} --stdout | zstd > {name}.sql.zst\n")


def test_parse_compression_levels():
    assert parse_compression("zstd") == Compression("zstd", 3)
    assert parse_compression("ZSTD:19") == Compression("zstd", 19)
    assert not parse_compression("none").enabled
    with pytest.raises(UsageError):
        parse_compression("zstd:-1")


def test_parallel_workers_write_compressed_chunks(server, school_dumps, tmp_path):
    name, _, zst = school_dumps
    out = tmp_path / "w2"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=128 << 10, statement_size=32 << 10, workers=2,
                                                     compression=ZSTD))
    m = read_manifest(out)
    assert all(c["file"].endswith(".sql.zst") for _, c in m.chunks())
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(c["file"][5:] for _, c in m.chunks())
    assert dumpcore("verify", str(out), "--decompress").returncode == 0
    want = {t["name"]: (t["rows"], sum(int(c["fingerprint"], 16) for c in t["chunks"]) % 2**64)
            for t in read_manifest(zst).tables}
    got = {t["name"]: (t["rows"], sum(int(c["fingerprint"], 16) for c in t["chunks"]) % 2**64) for t in m.tables}
    assert got == want


def test_bench_reports_size_ratio_and_seconds_with_and_without_compression():
    from bench.run import compression_summary

    def phase(plain: str, packed: str, a: float, b: float) -> dict:
        return {plain: {"wall_median": a, "rows_per_s": round(1000 / a)},
                packed: {"wall_median": b, "rows_per_s": round(1000 / b)}}

    results = {"dump": phase("dumpcore-w1", "dumpcore-w1-zstd", 2.0, 2.5),
               "restore": phase("dumpcore-p2", "dumpcore-p2-zstd", 4.0, 3.0)}
    c = compression_summary(results, {"dumpcore": 1000, "dumpcore-zstd": 250})
    assert (c["uncompressed_bytes"], c["compressed_bytes"], c["size_ratio"]) == (1000, 250, 4.0)
    assert c["dump"]["seconds"] == [2.0, 2.5] and c["dump"]["time_ratio"] == 1.25
    assert c["restore"]["rows_per_s"] == [250, 333] and c["restore"]["time_ratio"] == 0.75


def test_compressed_no_data_dump_keeps_the_plain_load_sql(server, school_dumps, tmp_path):
    name = school_dumps[0]
    out = tmp_path / "schema-only"
    proc = dumpcore("dump", name, "-o", str(out), "--no-data", "--compress", "zstd", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    load = (out / "scripts" / "load.sql").read_text()
    assert "SOURCE schema.sql;" in load and "COMPRESSED" not in load
    assert not (out / "scripts" / "load-zstd.sh").exists() and "compressed with" not in proc.stderr.decode()


def test_the_level_limit_is_zstandards_own():
    """compression.py imports zstandard only when a chunk is (de)compressed, so its limit
    is written out: it must stay zstandard's."""
    from dumpcore.store import compression

    assert compression.MAX_ZSTD_LEVEL == compression._zstd().MAX_COMPRESSION_LEVEL
    assert parse_compression(f"zstd:{compression.MAX_ZSTD_LEVEL}").level == compression.MAX_ZSTD_LEVEL
