"""`dumpcore dump`: exact round trips through the mariadb client, chunks, hashes, errors."""
import json
import os
import random
import re
import subprocess

import pytest
import xxhash

from clirun import DUMPCORE, conn_args, dumpcore
from conftest import one_big_many_small, run_client
from dbcompare import assert_same_database, assert_same_objects, raw_rows
from dumpcore.dump.chunks import UPSERT_ROW_ALIAS, UPSERT_VALUES, statement_parts
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory, parse_size
from dumpcore.store.manifest import read_manifest
from dumpcore.sandbox.sandbox import Sandbox
from dumpcore.schema.sqltext import parse_one, validate
from edge_data import create_edge_database
from fixture_world import WORLD_ROUTINES, WORLD_TRIGGERS, WORLD_VIEWS


@pytest.fixture(scope="module")
def edge_db(server):
    name = "edge_src"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        create_edge_database(c, name)
    yield name
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def stdout_into_client(server, database: str, target: str, *extra: str) -> None:
    """dumpcore dump DB --stdout | mariadb TARGET, as a real pipe."""
    dump = subprocess.Popen([str(DUMPCORE), "dump", database, "--stdout", "-q", *conn_args(server), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client = subprocess.run(server.client_command("mariadb", target), stdin=dump.stdout, capture_output=True,
                            env=server.client_env())
    dump.stdout.close()
    assert dump.wait() == 0, dump.stderr.read().decode()
    assert client.returncode == 0, client.stderr.decode()[-2000:]


def test_edge_types_round_trip_via_stdout(server, conn, edge_db, db):
    stdout_into_client(server, edge_db, db)
    rows = assert_same_database(conn, edge_db, db)
    assert rows > 60


def test_edge_types_round_trip_via_load_sql(server, conn, edge_db, db, tmp_path):
    out = tmp_path / "dump"
    proc = dumpcore("dump", edge_db, "-o", str(out), *conn_args(server), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    assert summary["total_rows"] == sum(t["rows"] for t in summary["tables"]) > 60
    run_client(server, stdin_path=out / "scripts" / "load.sql", database=db, cwd=out)
    assert_same_database(conn, edge_db, db)
    # Loading the same chunks again changes nothing for keyed tables (idempotent upserts).
    for f in sorted((out / "data").glob("all_types.*.sql")):
        run_client(server, (out / "scripts" / "disable.sql").read_text() + f.read_text(), database=db)
    assert raw_rows(conn, edge_db, "all_types") == raw_rows(conn, db, "all_types")


def test_manifest_describes_the_dump(server, edge_db, tmp_path):
    out = tmp_path / "d"
    summary = dump_to_directory(server, edge_db, out, DumpOptions(statement_size=4096))
    m = read_manifest(out)
    assert m.data["database"] == edge_db and m.data["source"]["flavour"] == "mariadb"
    assert m.data["upsert_form"] == UPSERT_VALUES
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", m.data["snapshot_at"])
    by_name = {t["name"]: t for t in m.tables}
    assert by_name["all_types"]["key"] == ["id"] and by_name["all_types"]["idempotent"]
    assert by_name["select"]["key"] == ["order", "group"]
    assert [c["name"] for c in by_name["select"]["columns"]] == ["order", "group", "naïve col", "key", "secret"]
    assert by_name["select"]["generated_columns"] == ["g_virtual", "g_stored"]
    assert by_name["keyless"]["idempotent"] is False and by_name["keyless"]["rows"] == 6
    assert by_name["nullable_unique"]["idempotent"] is False
    for t, c in m.chunks():
        data = (out / c["file"]).read_bytes()
        assert len(data) == c["bytes"]
        assert xxhash.xxh3_128_hexdigest(data) == c["xxh3_128"]  # recomputed independently
    assert sum(t["rows"] for t in m.tables) == summary.rows
    # Keyless tables get a plain INSERT; keyed ones an upsert of every non-key column.
    keyless = (out / by_name["keyless"]["chunks"][0]["file"]).read_text()
    assert "ON DUPLICATE KEY" not in keyless and keyless.startswith("INSERT INTO `keyless`")
    sel = (out / by_name["select"]["chunks"][0]["file"]).read_text()
    assert sel.rstrip().endswith("ON DUPLICATE KEY UPDATE `naïve col`=VALUES(`naïve col`),`key`=VALUES(`key`),"
                                 "`secret`=VALUES(`secret`);")
    assert "g_virtual" not in sel and "g_stored" not in sel
    # statement size is honoured: every statement ends within 4 KiB unless a single row is larger
    at = by_name["all_types"]
    for chunk in at["chunks"]:
        for stmt in (out / chunk["file"]).read_text().split(";\nINSERT"):
            assert len(stmt.encode()) <= 4096 or stmt.count("\n(") <= 1
    assert not list(out.rglob(".*.tmp"))


def test_every_statement_parses_with_validate_all(server, edge_db, tmp_path):
    out = tmp_path / "d"
    dump_to_directory(server, edge_db, out, DumpOptions(statement_size=64 << 10, validate="all"))
    assert read_manifest(out).data["totals"]["chunks"] >= 5


def test_upsert_forms_parse_as_mariadb_and_mysql8():
    for form in (UPSERT_VALUES, UPSERT_ROW_ALIAS):
        head, tail = statement_parts("t", ["id", "a b", "c"], ["id"], form)
        stmt = (head + b"(1,'x',NULL),\n(2,'y',0x00)" + tail).decode().rstrip().rstrip(";")
        validate(stmt)
        expr = parse_one(stmt)
        assert expr.args.get("conflict") is not None or "ON DUPLICATE KEY" in expr.sql("mysql")
    head, tail = statement_parts("t", ["id", "a"], ["id"], UPSERT_ROW_ALIAS)
    assert tail == b"\nAS dumpcore_new ON DUPLICATE KEY UPDATE `a`=dumpcore_new.`a`;\n"
    head, tail = statement_parts("t", ["k1", "k2"], ["k1", "k2"], UPSERT_VALUES)
    assert tail == b"\nON DUPLICATE KEY UPDATE `k1`=VALUES(`k1`);\n"


def test_world_round_trip_both_ways(server, conn, world, db, tmp_path):
    stdout_into_client(server, world, db)
    assert assert_same_database(conn, world, db) > 15000
    out = tmp_path / "world"
    assert dumpcore("dump", world, "-o", str(out), "-q", *conn_args(server)).returncode == 0
    with server.connect() as c:
        c.execute(f"DROP DATABASE {quote_ident(db)}")
        c.execute(f"CREATE DATABASE {quote_ident(db)}")
    run_client(server, stdin_path=out / "scripts" / "load.sql", database=db, cwd=out)
    assert_same_database(conn, world, db)
    assert assert_same_objects(conn, world, db) == {"views": WORLD_VIEWS, "triggers": WORLD_TRIGGERS,
                                                     "routines": WORLD_ROUTINES}
    # the view three levels up answers on the copy as on the source
    assert conn.query(f"SELECT * FROM {quote_ident(db)}.store_summary ORDER BY store_id") == \
        conn.query("SELECT * FROM world.store_summary ORDER BY store_id")


def test_subset_where_exclude_and_schema_only(server, world, tmp_path):
    out = tmp_path / "w"
    s = dump_to_directory(server, world, out, DumpOptions(tables=["payment", "customer"], where="customer_id <= 5"))
    m = read_manifest(out)
    assert [t["name"] for t in m.tables] == ["customer", "payment"]
    assert {t.table: t.rows for t in s.tables}["customer"] == 5
    cleanup = (out / "scripts" / "cleanup.sql").read_text()
    assert cleanup.count("DELETE FROM") == 2  # only the dumped tables
    out2 = tmp_path / "x"
    dump_to_directory(server, world, out2, DumpOptions(exclude=["payment", "rental"], no_data=True))
    m2 = read_manifest(out2)
    assert "payment" not in [t["name"] for t in m2.tables] and not list((out2 / "data").glob("*.sql"))


def test_timestamps_survive_servers_with_different_time_zones(server, conn, db, tmp_path):
    with server.connect(db) as c:
        c.execute("SET time_zone = '+05:00'")
        c.execute("CREATE TABLE tz (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME)")
        c.execute("INSERT INTO tz VALUES (1, '2024-03-10 02:30:00.5', '2024-03-10 02:30:00'), "
                  "(2, '1970-01-01 05:00:01', '1970-01-01 00:00:00'), (3, '2038-01-19 08:14:07.999999', NULL)")
        expected = c.query("SELECT id, UNIX_TIMESTAMP(ts), dt FROM tz ORDER BY id")
    with Sandbox(extra_args=("--default-time-zone=+09:00",)) as other:
        with other.options.connect() as oc:
            assert oc.scalar("SELECT @@global.time_zone") == "+09:00"
            oc.execute("CREATE DATABASE tzcopy")
        dump = subprocess.run([str(DUMPCORE), "dump", db, "--stdout", "-q", *conn_args(server)], capture_output=True)
        assert dump.returncode == 0
        run_client(other.options, dump.stdout, database="tzcopy")
        with other.options.connect("tzcopy") as oc:
            assert oc.query("SELECT id, UNIX_TIMESTAMP(ts), dt FROM tz ORDER BY id") == expected


def test_big_table_streams_in_bounded_memory(server, db, tmp_path):
    """2.1M rows: several chunks, hashes recomputed here, peak RSS of the dump process < 200 MB."""
    rows = 2_100_000
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT UNSIGNED PRIMARY KEY, name VARCHAR(40), payload VARCHAR(60), "
                  "amount DECIMAL(12,2), created DATETIME)")
        c.execute(f"INSERT INTO big SELECT seq, CONCAT('name-', seq, ' it''s'), REPEAT(CHAR(65 + seq % 26), seq % 50), "
                  f"seq / 7, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_{rows}")
    out = tmp_path / "big"
    summary_file = tmp_path / "summary.json"
    stats = tmp_path / "time.txt"
    with open(summary_file, "wb") as sf:
        # GNU time forks the dump from its own small process: a child forked from pytest
        # would report pytest's RSS (Linux keeps the old map's high-water mark across exec).
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(stats), str(DUMPCORE), "dump", db, "-o", str(out),
                               "--chunk-size", "32MiB", "--json", *conn_args(server)], stdout=sf,
                              stderr=subprocess.PIPE)
    assert proc.returncode == 0, proc.stderr.decode()
    peak_mb = int(stats.read_text().split()[-1]) / 1024
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB"
    summary = json.loads(summary_file.read_bytes())
    assert summary["total_rows"] == rows
    chunks = read_manifest(out).tables[0]["chunks"]
    assert len(chunks) >= 4
    assert sum(c["rows"] for c in chunks) == rows
    if _fs_type(out) != "tmpfs":  # tmpfs pages are the files themselves: they cannot be dropped
        # each chunk's pages left the page cache once on disk: the dump does not fill the cache
        resident, pages = map(sum, zip(*(_cached_pages(out / c["file"]) for c in chunks)))
        assert resident <= pages // 10, f"{resident} of {pages} pages of the chunk files still cached"
    for c in chunks:
        h = xxhash.xxh3_128()
        with open(out / c["file"], "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        assert h.hexdigest() == c["xxh3_128"]
    # key ranges follow the primary key from chunk to chunk
    assert chunks[0]["key_first"] == ["1"] and chunks[-1]["key_last"] == [str(rows)]
    for a, b in zip(chunks, chunks[1:]):
        assert int(b["key_first"][0]) == int(a["key_last"][0]) + 1


def _fs_type(path) -> str:
    """The type of the file system ``path`` is on (the longest mount point above it)."""
    mounts = [line.split()[1:3] for line in open("/proc/mounts")]
    best = max((m for m in mounts if str(path).startswith(m[0].rstrip("/") + "/")), key=lambda m: len(m[0]))
    return best[1]


def _cached_pages(path) -> tuple[int, int]:
    """(pages of ``path`` in the page cache, pages in all), from mincore(2) over a mapping."""
    import ctypes
    import mmap

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = (ctypes.c_ubyte * pages)()
    with open(path, "rb") as f:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, f.fileno(), 0)
        assert addr not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
        try:
            assert libc.mincore(addr, size, vec) == 0, os.strerror(ctypes.get_errno())
        finally:
            libc.munmap(addr, size)
    return sum(v & 1 for v in vec), pages


@pytest.mark.parametrize("text,expected", [("64MiB", 64 << 20), ("10MB", 10_000_000), ("256KiB", 256 << 10),
                                           ("1048576", 1 << 20), ("1.5KiB", 1536), ("2gib", 2 << 30)])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


def test_bad_input_is_one_line_error_and_no_dump(server, world, tmp_path):
    cases = [
        (["dump", world, "no_such_table", "-o", str(tmp_path / "a")], r"Error: table `no_such_table` not found"),
        (["dump", world, "--exclude", "nope", "-o", str(tmp_path / "b")], r"Error: table `nope` not found"),
        (["dump", world, "--where", "no_such_col = 1", "-o", str(tmp_path / "c")],
         r"Error: --where rejected on table `\w+`: server error 1054: Unknown column 'no_such_col'"),
        (["dump", world, "-o", str(tmp_path / "full")], r"Error: output directory .* exists and is not empty"),
        (["dump", world, "-o", "/proc/dumpcore-cannot-write"], r"Error: cannot write the dump"),
        (["dump", world, "-o", str(tmp_path / "f" / "sub")], r"Error: cannot create output directory"),
        (["dump", world], r"Error: give exactly one of -o DIR, --store STORE or --stdout"),
        (["dump", world, "--chunk-size", "lots", "-o", str(tmp_path / "d")], r"Error: not a size: 'lots'"),
    ]
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    for args, pattern in cases:
        proc = dumpcore(*args, *conn_args(server))
        err = proc.stderr.decode().strip()
        assert proc.returncode != 0, args
        assert re.match(pattern, err), (args, err)
        assert len(err.splitlines()) == 1, err
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("full",)]
    assert leftovers == [], leftovers  # no partial directories, no manifests


def test_streamed_chunk_reader_matches_whole_file_split(tmp_path, monkeypatch):
    from dumpcore.dump import chunks
    from dumpcore.store.hashing import chunk_hasher, hash_bytes

    head, tail = statement_parts("t", ["id", "v"], ["id"], UPSERT_VALUES)
    stmts = [head + b",\n".join(b"(%d,'INSERT INTO x;\\n')" % i for i in range(k, k + 5)) + tail
             for k in range(0, 50, 5)]
    data = b"".join(stmts)
    path = tmp_path / "c.sql"
    path.write_bytes(data)
    from dumpcore.store import hashing

    monkeypatch.setattr(hashing, "READ_BLOCK", 7)  # every block boundary lands mid-statement somewhere
    h = chunk_hasher()
    streamed = list(chunks.iter_chunk_statements(path, h))
    assert streamed == chunks.split_chunk_statements(data)
    assert len(streamed) == 10 and all(s.startswith(b"INSERT INTO `t`") and not s.endswith(b";") for s in streamed)
    assert h.hexdigest() == hash_bytes(data)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "zst"])
def test_statements_cut_in_one_reused_buffer_are_the_whole_file_split(tmp_path, monkeypatch, compressed):
    """chunk_statement_spans reads a chunk block by block into one buffer, cuts the whole
    statements out where they lie and moves the rest to the front; a statement longer than
    the buffer makes a bigger one. Generated chunks (statements of 1 to ~200 rows, ENUM
    error-value setups among them), blocks of 1 to ~300 bytes: the same statements as
    splitting the whole file, and every byte hashed as stored."""
    from dumpcore.dump import chunks
    from dumpcore.dump.enum_zero import setup_text
    from dumpcore.store import hashing
    from dumpcore.store.compression import ZSTD_SUFFIX, _zstd

    rnd = random.Random(2207 + compressed)
    head, tail = statement_parts("t", ["id", "v"], ["id"], UPSERT_VALUES)
    for trial in range(30):
        parts = []
        for _ in range(rnd.randrange(1, 8)):
            if rnd.random() < 0.15:
                parts.append(setup_text("t", ["v"]))
            rows = rnd.choice([rnd.randrange(1, 4), rnd.randrange(50, 200)])
            parts.append(head + b",\n".join(b"(%d,'INSERT INTO x;\\n')" % i for i in range(rows)) + tail)
        data = b"".join(parts)
        path = tmp_path / f"c{trial}.sql"
        path.write_bytes(data)
        if compressed:
            path = path.with_name(path.name + ZSTD_SUFFIX)
            path.write_bytes(_zstd().ZstdCompressor(write_checksum=True).compress(data))
        monkeypatch.setattr(hashing, "READ_BLOCK", rnd.randrange(1, 300))
        h = hashing.chunk_hasher()
        spans = [bytes(memoryview(buf)[a:b]) for buf, a, b in chunks.chunk_statement_spans(path, h)]
        assert spans == chunks.split_chunk_statements(data), trial
        assert h.hexdigest() == hashing.hash_bytes(path.read_bytes())
        assert list(chunks.iter_chunk_statements(path, hashing.chunk_hasher())) == spans


def test_validation_parses_a_small_prefix_even_after_a_huge_first_row(monkeypatch):
    import io

    from dumpcore.dump import chunks

    seen: list[int] = []
    real = chunks.validate
    monkeypatch.setattr(chunks, "validate", lambda sql, what: (seen.append(len(sql)), real(sql, what)))
    out = io.BytesIO()
    w = chunks.ChunkWriter(chunks.StreamSink(out), "t", ["id", "b"], bytes([0, 2]), ["id"], [0], UPSERT_VALUES,
                           16 << 20, 64 << 20, validate_mode="first")
    w.write_from(chunks.BatchSource([[(b"1", b"\xab" * 3_000_000), (b"2", b"\x01")]], bytes([0, 2]), [0]))
    w.finish()
    assert len(seen) == 1 and seen[0] < 4096  # not the 6 MB statement
    assert out.getvalue().count(b"),\n(") == 1 and b"0x" + b"AB" * 3_000_000 in out.getvalue()


@pytest.mark.parametrize("broken_row, mode, caught", [(3, "first", True), (400, "first", True), (400, "all", True),
                                                     (400, "shape", True), (400, "none", False)])
def test_the_check_of_a_statement_reads_its_own_rows(broken_row, mode, caught):
    """Only the first 4 KiB of the statement's rows are kept for sqlglot with "first"
    (the rest is written and hashed, never copied), but the scanner reads every row of
    every statement in every mode but ``none``: a bad row past them is caught too."""
    import io

    from dumpcore.dump import chunks
    from dumpcore.errors import GeneratedSQLError

    def encode(batch, i, kinds, max_bytes):
        text, j, fp = chunks.encode_rows(batch, i, kinds, max_bytes)
        return text.replace(b"'row%d'" % broken_row, b"'row%d',)" % broken_row), j, fp

    rows = [(str(n).encode(), b"row%d" % n) for n in range(1, 1000)]
    w = chunks.ChunkWriter(chunks.StreamSink(io.BytesIO()), "t", ["id", "v"], bytes([0, 1]), ["id"], [0],
                           UPSERT_VALUES, 1 << 20, 64 << 20, validate_mode=mode)
    if caught:
        with pytest.raises(GeneratedSQLError, match=f"statement 1 in data/t.00001.sql is not its table's INSERT: "
                                                    f"row {broken_row} column 3"):
            w.write_from(chunks.BatchSource([rows], bytes([0, 1]), [0], encode=encode))
    else:
        w.write_from(chunks.BatchSource([rows], bytes([0, 1]), [0], encode=encode))
        w.finish()


def test_workers_share_one_snapshot_under_concurrent_writes(server, db, tmp_path):
    """Two tables updated together in every transaction: any dump must see them equal.
    With two worker processes each reading one table, unsynchronised snapshots would not."""
    import threading

    with server.connect(db) as c:
        for t in ("a", "b"):
            c.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY, v BIGINT NOT NULL, pad VARCHAR(200))")
            c.execute(f"INSERT INTO {t} SELECT seq, 0, REPEAT('x', 150) FROM seq_1_to_150000")
    stop = threading.Event()
    commits = []

    def writer():
        with server.connect(db) as w:
            n = 0
            while not stop.is_set():
                w.execute("START TRANSACTION")
                w.execute("UPDATE a SET v = v + 1 WHERE id = 1")
                w.execute("UPDATE b SET v = v + 1 WHERE id = 1")
                w.execute("COMMIT")
                n += 1
            commits.append(n)

    th = threading.Thread(target=writer)
    th.start()
    try:
        for k in range(3):
            out = tmp_path / f"w{k}"
            dump_to_directory(server, db, out, DumpOptions(workers=2))
            firsts = {}
            for t in ("a", "b"):
                text = (out / "data" / f"{t}.00001.sql").read_text()
                firsts[t] = re.search(r"^\(1,(\d+),", text, re.M).group(1)
            assert firsts["a"] == firsts["b"], f"snapshots differ: a.v={firsts['a']} b.v={firsts['b']}"
    finally:
        stop.set()
        th.join()
    assert commits and commits[0] > 10  # the writer really ran during the dumps


def test_a_worker_thread_that_fails_fails_the_dump_with_its_error_and_leaves_no_thread(server, db, tmp_path,
                                                                                      monkeypatch):
    """A worker's connection killed mid-table: its ServerError is the dump's error, the
    other worker stops at its next statement, every thread ends, nothing is left.

    Workers take tables as they ask, so one worker can read both; the connection seen
    reading `a` in PROCESSLIST may have gone on to `b` when the KILL lands (CI saw the
    error name `b`). The error names whichever table it was reading; 2013 says it is the
    killed connection's own error that the dump raised."""
    import threading

    from dumpcore.dump import dump as dump_module
    from dumpcore.errors import ServerError

    monkeypatch.setattr(dump_module._EventProgress, "EVERY", 0.0)  # the kill comes from a progress report
    with server.connect(db) as c:
        for t in ("a", "b"):
            c.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY, pad VARCHAR(200))")
            c.execute(f"INSERT INTO {t} SELECT seq, REPEAT('x', 150) FROM seq_1_to_100000")
    admin = server.connect()
    killed = []

    class KillReaders:
        def begin(self, tables): pass
        def table_started(self, table): pass
        def table_done(self, result): pass
        def end(self): pass

        def advance(self, table, rows, nbytes):
            if killed:
                return
            for (pid,) in admin.query_text("SELECT ID FROM information_schema.PROCESSLIST "
                                           f"WHERE ID <> CONNECTION_ID() AND INFO LIKE 'SELECT % FROM `{db}`.`a`%'"):
                admin.execute(f"KILL CONNECTION {pid}")
                killed.append(pid)

    out = tmp_path / "d"
    try:
        with pytest.raises(ServerError, match=r"reading table `[ab]`: server error 2013"):
            dump_to_directory(server, db, out, DumpOptions(workers=2, statement_size=16 << 10), KillReaders())
    finally:
        admin.close()
    assert killed and not out.exists() and list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("dump-worker")]


def test_a_parallel_dump_reports_every_row_once_however_often_its_workers_report(server, db, tmp_path,
                                                                                 monkeypatch):
    """Workers send their progress at most every _EventProgress.EVERY seconds and the rest
    with the unit's end (each message costs the dump's thread a wake-up). Reported at every
    statement or only at each unit's end, a table's rows add up to its result and its bytes
    to the same sum, and it is started once, before its first rows, and done once, when its
    last unit ends. `big` is read as key ranges: it sums over them."""
    from dumpcore.dump import dump as dump_module

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 64 << 10)
    one_big_many_small(server, db, 20000, 12, 3, 37)

    def reported(every: float) -> tuple[dict, list]:
        monkeypatch.setattr(dump_module._EventProgress, "EVERY", every)
        seen: list[tuple] = []

        class Recorder:
            def begin(self, tables): pass
            def end(self): pass
            def table_started(self, table): seen.append(("started", table))
            def advance(self, table, rows, nbytes): seen.append(("advance", table, rows, nbytes))
            def table_done(self, result): seen.append(("done", result.table, result.rows, result.bytes))

        out = tmp_path / f"d{every}"
        summary = dump_to_directory(server, db, out, DumpOptions(workers=2, statement_size=16 << 10), Recorder())
        assert len(read_manifest(out).table("big")["chunks"]) > 1
        sums = {}
        for r in summary.tables:
            events = [e for e in seen if e[1] == r.table]
            advanced = [e for e in events if e[0] == "advance"]
            sums[r.table] = (sum(e[2] for e in advanced), sum(e[3] for e in advanced))
            assert sums[r.table][0] == r.rows and sums[r.table][1] <= r.bytes, r.table
            assert events[-1] == ("done", r.table, r.rows, r.bytes) and [e[0] for e in events].count("done") == 1
            if r.rows:
                assert [e[0] for e in events].count("started") == 1 and events[0] == ("started", r.table), events
        return sums, seen

    often, _ = reported(0.0)
    once, seen = reported(3600.0)
    kinds = [e[0] for e in seen]  # a table is said done as its last unit ends (its progress line goes), not at the end
    assert kinds.index("done") < len(kinds) - 1 - kinds[::-1].index("advance")
    assert once == often and often["big"][0] == 20000 and often["s1"][1] > 0
    assert all(e[2] for e in seen if e[0] == "advance")  # nothing sent early: a report per unit that has rows
    assert len([e for e in seen if e[0] == "advance" and e[1] == "s1"]) == 1


def test_every_worker_is_started_before_the_first_begins_its_work(server, db, tmp_path, monkeypatch):
    """Thread.start() waits for the new thread to say it runs, and a worker holds the GIL
    until its first statement: started one after another, the second worker began up to a
    switch interval (5 ms) after the first. Each waits until all are started."""
    from dumpcore.dump import dump as dump_module

    with server.connect(db) as c:
        for t in ("a", "b", "c"):
            c.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY)")
            c.execute(f"INSERT INTO {t} SELECT seq FROM seq_1_to_100")
    real = dump_module._dump_table
    at_first: list[list[bool]] = []

    def dump_table(p, *args, **kwargs):
        if not at_first and p.pool is not None:
            at_first.append([t.ident is not None for t in p.pool._threads])
        return real(p, *args, **kwargs)

    monkeypatch.setattr(dump_module, "_dump_table", dump_table)
    for _ in range(5):  # without the wait this fails nearly every time; five chances to miss it
        at_first.clear()
        out = tmp_path / f"d{_}"
        dump_to_directory(server, db, out, DumpOptions(workers=2))
        assert at_first == [[True, True]]


def test_a_worker_that_cannot_start_fails_the_dump_without_leaving_the_other_waiting(server, db, tmp_path,
                                                                                  monkeypatch):
    """Workers wait for each other to be started; when the second cannot start (no
    threads left), the first must not wait forever: the dump fails with the error and
    leaves no worker and no partial directory."""
    import threading

    from dumpcore.dump import dump as dump_module

    with server.connect(db) as c:
        for t in ("a", "b"):
            c.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY)")
            c.execute(f"INSERT INTO {t} SELECT seq FROM seq_1_to_100")
    real_start = threading.Thread.start

    def start(self):
        if self.name == "dump-worker-1":
            raise RuntimeError("can't start new thread")
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    out = tmp_path / "d"
    outcome: list[BaseException] = []

    def run():
        try:
            dump_module.dump_to_directory(server, db, out, DumpOptions(workers=2))
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            outcome.append(exc)

    runner = threading.Thread(target=run, daemon=True)
    real_start(runner)
    runner.join(60)
    assert not runner.is_alive(), "the dump hung"
    assert [str(e) for e in outcome] == ["can't start new thread"]
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("dump-worker")]


def test_workers_split_big_tables_and_match_a_single_worker_dump(server, db, tmp_path, monkeypatch):
    from dumpcore.dump import dump as dump_module

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 1 << 20)  # split at 1 MiB so a test-sized table splits
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT UNSIGNED PRIMARY KEY, t VARCHAR(100))")
        c.execute("INSERT INTO big SELECT seq, CONCAT('row ', seq, REPEAT(' it''s', seq % 9)) FROM seq_1_to_60000")
        c.execute("CREATE TABLE small (k VARCHAR(10) PRIMARY KEY)")
        c.execute("INSERT INTO small VALUES ('a'), ('b')")
        c.execute("ANALYZE TABLE big")
    one = dump_to_directory(server, db, tmp_path / "one", DumpOptions())
    two = dump_to_directory(server, db, tmp_path / "two", DumpOptions(workers=2))
    m1, m2 = read_manifest(tmp_path / "one"), read_manifest(tmp_path / "two")
    big1, big2 = m1.table("big"), m2.table("big")
    assert len(big2["chunks"]) >= 2 and big2["rows"] == big1["rows"] == 60000
    assert [c["file"] for c in big2["chunks"]] == [f"data/big.{i:05d}.sql" for i in range(1, len(big2["chunks"]) + 1)]
    fp = lambda t: sum(int(c["fingerprint"], 16) for c in t["chunks"]) % 2**64  # noqa: E731
    assert fp(big1) == fp(big2)
    keys = [(int(c["key_first"][0]), int(c["key_last"][0])) for c in big2["chunks"]]
    assert keys[0][0] == 1 and keys[-1][1] == 60000 and all(b[0] > a[1] for a, b in zip(keys, keys[1:]))
    assert one.rows == two.rows
    assert not list((tmp_path / "two" / "data").glob("*part*"))
    with pytest.raises(Exception, match="one stream"):
        from dumpcore.dump.dump import dump_to_stream
        dump_to_stream(server, db, None, DumpOptions(workers=2))


@pytest.mark.parametrize("direct", [True, False], ids=["compiled", "tuples"])
def test_enum_error_values_are_found_by_each_read_in_its_own_rows(server, conn, db, tmp_path, monkeypatch, direct):
    """ENUM error values (index 0) on MariaDB: no table is scanned for them before the first
    row is read (at xl that scan was ~1 s with a core idle). Where no ENUM member is '' and
    the table has a primary key, the read itself finds them (the server shows index 0 as '',
    the encoder watches those columns): no extra read at all. The row that shows one stops
    the rows before it is taken and the rest of that read, from its key on, is read with the
    flags; here in the first key range, as the first row of the second, and as the table's
    last row, on two workers. Elsewhere (a '' member, no key) each read looks in its own rows
    first. Only the chunks holding one say so, the table's entry names its columns, and the
    restore is raw-equal, index 0 kept. Through the compiled encoder and the tuple path."""
    import threading

    from dumpcore.dump import dump as dump_module
    from dumpcore.restore.restore import RestoreOptions, restore

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 1 << 20)
    looks: list[tuple[str, str | None, str]] = []
    up_front: list[str] = []
    real_find, real_find_for_dump = dump_module.find_enum_zero, dump_module.find_for_dump

    def spy_find(c, database, tables, where):
        looks.extend((t.name, where, threading.current_thread().name) for t in tables)
        return real_find(c, database, tables, where)

    def spy_find_for_dump(c, database, tables, where, warnings):
        up_front.extend(t.name for t in tables)
        return real_find_for_dump(c, database, tables, where, warnings)

    units: list = []
    real_units = dump_module._units

    def spy_units(p):
        units.extend(real_units(p))
        return units

    monkeypatch.setattr(dump_module, "find_enum_zero", spy_find)
    monkeypatch.setattr(dump_module, "find_for_dump", spy_find_for_dump)
    monkeypatch.setattr(dump_module, "_units", spy_units)
    zeros = [10, 15001, 60000]
    with server.connect(db) as c:
        for name, ddl in (("big", "e ENUM('a','b') NOT NULL"), ("empty", "e ENUM('','a','b') NOT NULL")):
            c.execute(f"CREATE TABLE {name} (id INT UNSIGNED PRIMARY KEY, {ddl}, t VARCHAR(100))")
            c.execute(f"INSERT INTO {name} SELECT seq, IF(seq % 2, 'a', 'b'), "
                      "CONCAT('row ', seq, REPEAT(' it''s', seq % 9)) FROM seq_1_to_60000")
        c.execute("UPDATE empty SET e = '' WHERE id % 1000 = 7")  # the member '', index 1
        c.execute("CREATE TABLE plain (id INT PRIMARY KEY, e ENUM('x','y'))")
        c.execute("INSERT INTO plain VALUES (1, 'x'), (2, NULL)")
        c.execute("CREATE TABLE keyless (e ENUM('x','y'), n INT)")
        c.execute("INSERT INTO keyless VALUES ('x', 1), ('y', 2), (NULL, 3)")
        c.execute("SET SESSION sql_mode = ''")
        for name in ("big", "empty"):  # stores index 0, with a warning
            c.execute(f"UPDATE {name} SET e = 'no such member' WHERE id IN ({', '.join(map(str, zeros))})")
        c.execute("INSERT INTO keyless VALUES ('no such member', 4)")
        c.execute("ANALYZE TABLE big, empty")
        assert c.query("SELECT id FROM big WHERE e = 0 ORDER BY id") == [(str(z).encode(),) for z in zeros]
    dump_to_directory(server, db, tmp_path / "d", DumpOptions(workers=2, direct_fetch=direct))
    assert up_front == []
    ranges = [f"({u.condition})" for u in units if u.table == "empty"]  # as _dump_table joins them
    assert len(ranges) >= 2 and len([u for u in units if u.table == "big"]) >= 2
    empty_looks = [(w, t) for name, w, t in looks if name == "empty"]
    assert sorted(w for w, _ in empty_looks) == sorted(ranges), (empty_looks, ranges)
    assert {t for _, t in empty_looks} == {"dump-worker-0", "dump-worker-1"}
    assert sorted(name for name, _, _ in looks) == ["empty"] * len(ranges) + ["keyless"]  # big, plain: none
    m = read_manifest(tmp_path / "d")
    for name in ("big", "empty"):
        entry = m.table(name)
        assert entry["enum_zero"] == ["e"] and entry["rows"] == 60000
        flagged = [c for c in entry["chunks"] if c.get("enum_zero")]
        assert 0 < len(flagged) < len(entry["chunks"])
        # each zero in a flagged chunk, and no flagged chunk without one
        assert all(any(int(c["key_first"][0]) <= z <= int(c["key_last"][0]) for c in flagged) for z in zeros)
        assert all(any(int(c["key_first"][0]) <= z <= int(c["key_last"][0]) for z in zeros) for c in flagged)
    assert m.table("keyless")["enum_zero"] == ["e"] and "enum_zero" not in m.table("plain")
    target = f"{db}_back"
    restore(tmp_path / "d", server, RestoreOptions(database=target, parallel=2))
    for name in ("big", "empty"):
        assert raw_rows(conn, target, name, ["id", "e + 0", "t"]) == raw_rows(conn, db, name, ["id", "e + 0", "t"])
    assert_same_database(conn, db, target)


def _count_pools(monkeypatch) -> list[int]:
    """--workers 0 asks for two workers, and each worker pool the dump opens puts its size
    in the list returned."""
    from dumpcore.dump import dump as dump_module

    pools: list[int] = []

    class CountingPool(dump_module._ThreadPool):
        def __init__(self, options, n, conn):
            pools.append(n)
            super().__init__(options, n, conn)

    monkeypatch.setattr(dump_module, "auto_workers", lambda: 2)
    monkeypatch.setattr(dump_module, "_ThreadPool", CountingPool)
    return pools


def test_default_workers_read_in_parallel_and_read_on_one_when_the_lock_is_not_granted(server, db, tmp_path,
                                                                                        monkeypatch):
    """--workers 0 (the CLI's default): one worker per core; where the commit lock that gives
    them one snapshot is refused (no RELOAD) or held by another backup, one worker reads
    everything and a warning says why. An explicit --workers 2 fails instead."""
    from dumpcore.dump import dump as dump_module
    from dumpcore.connect.connection import ConnectionOptions
    from dumpcore.errors import DumpcoreError

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 1 << 20)
    monkeypatch.setattr(dump_module, "AUTO_LOCK_WAIT", 1)
    pools = _count_pools(monkeypatch)
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT UNSIGNED PRIMARY KEY, t VARCHAR(100))")
        c.execute("INSERT INTO big SELECT seq, CONCAT('row ', seq, REPEAT(' x', seq % 9)) FROM seq_1_to_30000")
        c.execute("ANALYZE TABLE big")
        c.execute("CREATE USER IF NOT EXISTS 'dump_noreload'@'%' IDENTIFIED BY 'pw'")
        c.execute(f"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON {quote_ident(db)}.* TO 'dump_noreload'@'%'")
    fp = lambda d: sum(int(c["fingerprint"], 16) for c in read_manifest(d).table("big")["chunks"]) % 2**64  # noqa: E731

    auto = dump_to_directory(server, db, tmp_path / "auto", DumpOptions(workers=0))
    assert pools == [2] and not [w for w in auto.warnings if "one connection" in w]
    with server.connect() as holder:  # another backup holds BACKUP STAGE: not granted within AUTO_LOCK_WAIT
        holder.execute("BACKUP STAGE START")
        try:
            held = dump_to_directory(server, db, tmp_path / "held", DumpOptions(workers=0))
        finally:
            holder.execute("BACKUP STAGE END")
    limited = ConnectionOptions(host="127.0.0.1", port=server.port, user="dump_noreload", password="pw")
    refused = dump_to_directory(limited, db, tmp_path / "refused", DumpOptions(workers=0))
    assert pools == [2], "the fallbacks read on one connection"
    for summary in (held, refused):
        said = [w for w in summary.warnings if w.startswith("read on one connection, not 2")]
        assert len(said) == 1 and "grant RELOAD" in said[0]
        assert summary.rows == auto.rows == 30000
    assert "Lock wait timeout" in held.warnings[0] or "Lock wait timeout" in " ".join(held.warnings)
    assert fp(tmp_path / "auto") == fp(tmp_path / "held") == fp(tmp_path / "refused")
    with pytest.raises(DumpcoreError, match="--workers 2 needs a brief commit lock"):
        dump_to_directory(limited, db, tmp_path / "explicit", DumpOptions(workers=2))
    assert not (tmp_path / "explicit").exists()
    with server.connect() as c:
        c.execute("DROP USER 'dump_noreload'@'%'")


def test_default_workers_read_small_tables_on_one_connection(server, db, tmp_path, monkeypatch):
    """--workers 0 opens worker connections where they pay: for a few tables, for more
    tables than the server's table_open_cache (each read opens its table anew), and
    between the two where the tables average AUTO_PARALLEL_MEAN_BYTES of DATA_LENGTH.
    Otherwise (many small tables) the snapshot's own connection reads them, as with
    --workers 1. A table list or --exclude decides over the tables dumped; an explicit
    --workers 2 reads in parallel whatever the tables. The rows are the same either way."""
    from dumpcore.dump import dump as dump_module
    from dumpcore.dump.server_dump import dump_databases_to_directory

    monkeypatch.setattr(dump_module, "AUTO_PARALLEL_FEW_TABLES", 2)
    pools = _count_pools(monkeypatch)
    smalls = [f"s{i}" for i in range(1, 13)]
    with server.connect(db) as c:
        for i, name in enumerate(smalls, 1):
            c.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, v VARCHAR(20))")
            c.execute(f"INSERT INTO {name} SELECT seq, CONCAT('v', seq) FROM seq_1_to_{i * 10}")
        c.execute("CREATE TABLE big (id INT PRIMARY KEY, t VARCHAR(200))")
        c.execute("INSERT INTO big SELECT seq, REPEAT('x', 150) FROM seq_1_to_20000")
        c.execute("ANALYZE TABLE big")
        sizes = {n: int(v) for n, v in c.query_text("SELECT TABLE_NAME, DATA_LENGTH FROM information_schema.TABLES "
                                                     f"WHERE TABLE_SCHEMA = '{db}'")}
        cache = int(c.query_text("SELECT @@table_open_cache")[0][0])
    mean = sum(sizes.values()) // len(sizes)
    assert sizes["s1"] < dump_module.AUTO_PARALLEL_MEAN_BYTES <= sizes["big"], sizes
    assert len(sizes) < cache

    def dump(name, **kw):
        pools.clear()
        summary = dump_to_directory(server, db, tmp_path / name, DumpOptions(**kw))
        return pools[:], summary

    assert dump("small", workers=0, tables=smalls)[0] == []
    assert dump("excluded", workers=0, exclude=["big"])[0] == []
    assert dump("big", workers=0, tables=["big", "s1"])[0] == [2]
    assert dump("explicit", workers=2, tables=smalls)[0] == [2]
    assert dump("single", workers=0, tables=["s1"])[0] == [2]  # a few tables
    with server.connect() as c:  # more tables than the server keeps open
        c.execute("SET GLOBAL table_open_cache = 10")
        try:
            assert dump("uncached", workers=0, tables=smalls)[0] == [2]
        finally:
            c.execute(f"SET GLOBAL table_open_cache = {cache}")
    monkeypatch.setattr(dump_module, "AUTO_PARALLEL_MEAN_BYTES", mean + 1)
    one, whole_one = dump("whole-one", workers=0)
    monkeypatch.setattr(dump_module, "AUTO_PARALLEL_MEAN_BYTES", mean)
    two, whole_two = dump("whole-two", workers=0)
    assert (one, two) == ([], [2])
    assert whole_one.rows == whole_two.rows == 20000 + sum(i * 10 for i in range(1, 13))
    for t in [*smalls, "big"]:
        one_fp, two_fp = ([c["fingerprint"] for c in read_manifest(tmp_path / d).table(t)["chunks"]]
                          for d in ("whole-one", "whole-two"))
        assert one_fp == two_fp and one_fp, t
    pools.clear()  # several databases: decided over them all
    dump_databases_to_directory(server, [db], tmp_path / "server", DumpOptions(workers=0))
    assert pools == [2]
    # the sizes from InnoDB's statistics, or from DATA_LENGTH for a user who may not read them
    from dumpcore.connect.connection import ConnectionOptions
    with server.connect() as c:
        c.execute("CREATE USER IF NOT EXISTS 'dump_nomysql'@'%' IDENTIFIED BY 'pw'")
        c.execute(f"GRANT SELECT ON {quote_ident(db)}.* TO 'dump_nomysql'@'%'")
    limited = ConnectionOptions(host="127.0.0.1", port=server.port, user="dump_nomysql", password="pw")
    try:
        with server.connect() as c, limited.connect() as lc:
            with pytest.raises(Exception, match="denied"):
                lc.query_text("SELECT 1 FROM mysql.innodb_table_stats LIMIT 1")
            for threshold, expected in ((mean, True), (mean + 1, False)):
                monkeypatch.setattr(dump_module, "AUTO_PARALLEL_MEAN_BYTES", threshold)
                assert dump_module.worth_workers(c, [db]) is expected
                assert dump_module.worth_workers(lc, [db]) is expected
    finally:
        with server.connect() as c:
            c.execute("DROP USER 'dump_nomysql'@'%'")


@pytest.mark.parametrize("statement_size", [300, 4096, 1 << 20])
def test_direct_fetch_and_row_tuples_write_identical_dumps(server, edge_db, world, tmp_path, statement_size):
    """The compiled encoder reading mysqlclient's result directly must write exactly what
    the tuple path (fetch_row + encode_rows) writes: same bytes, hashes, keys."""
    for db_name in (edge_db, world):
        a, b = tmp_path / f"{db_name}-direct", tmp_path / f"{db_name}-tuples"
        dump_to_directory(server, db_name, a, DumpOptions(statement_size=statement_size, chunk_size=64 << 10))
        dump_to_directory(server, db_name, b, DumpOptions(statement_size=statement_size, chunk_size=64 << 10,
                                                          direct_fetch=False))
        ma, mb = read_manifest(a), read_manifest(b)
        for ta, tb in zip(ma.tables, mb.tables):
            assert ta["chunks"] == tb["chunks"], ta["name"]
        files = sorted(p.relative_to(a) for p in (a / "data").iterdir())
        assert files == sorted(p.relative_to(b) for p in (b / "data").iterdir()) and len(files) >= len(ma.tables)
        for f in files:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f


@pytest.mark.parametrize("seed", range(6))
def test_watched_columns_stop_the_rows_alike_in_the_encoder_and_the_tuple_path(server, seed):
    """A watched column's empty value ends the rows before that row (dump/enum_zero.py):
    the compiled encoder and the tuple path (BatchSource) give the same texts, rows,
    fingerprints and keys up to it, then no row, and the same stop key; NULL and other
    columns' empty values never stop them. Generated rows, statement sizes and batches."""
    from dumpcore.dump.chunks import BatchSource
    from dumpcore.dump.stream import sql_row_source

    r = random.Random(seed)
    n = r.randint(1, 400)
    stop = r.choice([None, 0, n - 1, r.randrange(n)])
    rows = []
    for i in range(n):
        w = "''" if i == stop else r.choice(["'a'", "'bb'", "NULL"])
        other = r.choice(["''", "'x''y'", "NULL", "'z'"])
        rows.append(f"({i * 7 - 3}, 'k{i:04}', {w}, {other})")
    sql = f"SELECT * FROM (VALUES {', '.join(rows)}) AS t ORDER BY 1"
    kinds, keys, watch = b"\x00\x01\x01\x01", (0, 1), (2,)
    size = r.choice([1, 40, 300, 1 << 20])
    with server.connect() as c:
        def drain(source):
            out = []
            while True:
                text, got, fp = source.encode(size)
                if not got:
                    break
                out.append((bytes(text), got, fp, source.first_key, source.last_key))
            source.close()
            return out, source.stop_key

        direct = drain(sql_row_source(c, sql, "t", kinds, keys, watch=watch))
        tuples = drain(BatchSource(c.stream(sql, r.choice([1, 7, 5000])), kinds, keys, watch=watch))
    assert direct == tuples
    taken = sum(got for _, got, _, _, _ in direct[0])
    if stop is None:
        assert taken == n and direct[1] is None
    else:
        assert taken == stop and direct[1] == [str(stop * 7 - 3), f"'k{stop:04}'"]


def test_result_encoder_names_a_bad_value_by_row_and_column_after_its_loop(server):
    """The loop runs without the GIL; a value it refuses is raised afterwards, with the
    row's number in the result (across calls) and its column, as the tuple path says it."""
    from dumpcore.codec._encoder import ResultEncoder

    sql = "SELECT * FROM (VALUES (1, '10'), (2, '20'), (3, '3 0'), (4, '40')) AS t"
    with server.connect() as c:
        enc = ResultEncoder(c.unbuffered_result(sql), b"\x00\x00")
        text, rows, _ = enc.encode(12)  # one row per call: the number counts the rows of earlier calls
        assert (text, rows) == (b"(1,10)", 1)
        with pytest.raises(ValueError) as err:
            enc.encode(12)  # takes row 1, then meets row 2 while seeing whether it fits
        enc.close()
        assert str(err.value) == "row 2: column 1: not a number: b'3 0'"
        assert str(err.value) == _tuple_error(c.query_text(sql))


def _tuple_error(rows) -> str:
    from dumpcore.codec import encode_rows

    with pytest.raises(ValueError) as err:
        encode_rows([tuple(v.encode() for v in r) for r in rows], 0, b"\x00\x00", 0)
    return str(err.value)


def test_result_encoder_refuses_what_it_does_not_know(server):
    from dumpcore.codec._encoder import ResultEncoder

    with pytest.raises(TypeError, match="not a mysqlclient result"):
        ResultEncoder(object(), b"\x00")
    with server.connect() as c:
        buffered = c._conn  # a connection, not a result: refused by type, before any memory is read
        with pytest.raises(TypeError):
            ResultEncoder(buffered, b"\x00")


def test_direct_path_is_really_taken(server, world):
    """Guards the differential test above: a silent fallback to tuples would make it compare
    the tuple path with itself."""
    from dumpcore.schema.schema import load_schema
    from dumpcore.dump.stream import DirectSource, row_source, table_query

    with server.connect() as c:
        table = load_schema(c, world, with_ddl=False).tables["payment"]
        first = c.scalar(f"SELECT CONCAT_WS(',', payment_id, customer_id, staff_id, rental_id, amount) "
                         f"FROM {world}.payment ORDER BY payment_id LIMIT 1")
        q = table_query(table, world)
        src = row_source(c, q, bytes(col.kind for col in q.columns))
        try:
            assert isinstance(src, DirectSource)
            text, rows, fp = src.encode(1 << 20)
            assert isinstance(text, memoryview) and text.readonly  # the encoder's buffer, not a copy
            data = bytes(text)
            assert rows > 100 and data.startswith(b"(" + first.encode() + b",")
            assert src.first_key == ["1"]
        finally:
            src.close()
        again = row_source(c, q, bytes(col.kind for col in q.columns))
        try:
            assert again._enc.encode(1 << 20) == (data, rows, fp)  # the copy the view saves: same text
        finally:
            again.close()


def test_myisam_tables_are_named_and_statement_size_is_capped(server, db, tmp_path):
    with server.connect(db) as c:
        c.execute("CREATE TABLE old_style (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MyISAM")
        c.execute("INSERT INTO old_style VALUES (1, 'a')")
        packet = int(c.scalar("SELECT @@max_allowed_packet"))
    s = dump_to_directory(server, db, tmp_path / "d", DumpOptions(statement_size=packet * 4))
    assert any("not transactional" in w and "old_style (MyISAM)" in w for w in s.warnings)
    assert s.statement_size == packet - 1024
    assert read_manifest(tmp_path / "d").data["options"]["statement_size"] == packet - 1024
    proc = dumpcore("dump", db, "-o", str(tmp_path / "e"), *conn_args(server))
    assert proc.returncode == 0 and "Warning: not transactional" in proc.stderr.decode()


def test_progress_bar_shows_on_a_terminal_only(server, world, tmp_path):
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([str(DUMPCORE), "dump", world, "-o", str(tmp_path / "tty"), *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=slave, env={**os.environ, "COLUMNS": "120"})
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait() == 0
    os.close(master)
    assert b"all tables" in seen and b"rows" in seen  # the rich bar, drawn on the terminal
    piped = dumpcore("dump", world, "-o", str(tmp_path / "pipe"), *conn_args(server))
    assert b"all tables" not in piped.stderr  # no bar when stderr is not a terminal


@pytest.mark.parametrize("workers", [1, 2])
def test_a_finished_dump_is_on_disk_every_file_and_directory_and_its_name(server, db, tmp_path, monkeypatch, workers):
    """A dump reported complete survives a crash: every file in it was fsynced (chunks, the
    schema files, the scripts, the manifest; files of at most BATCH_SYNC_BYTES by one
    syncfs of the file system before the manifest), then every directory in it, and last
    the directory that holds it, after the rename that gives it its name."""
    from dumpcore.dump import chunks as chunks_module
    from dumpcore.dump import dump as dump_module

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 1 << 20)
    synced: list[str] = []
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)

        def spy(fd, real=real):
            synced.append(os.readlink(f"/proc/self/fd/{fd}"))
            return real(fd)

        monkeypatch.setattr(os, name, spy)
    real_syncfs = chunks_module.sync_filesystem

    def syncfs_spy(root, paths):
        real_syncfs(root, paths)
        synced.extend(str(p) for p in paths)  # on disk once the call returns

    monkeypatch.setattr(chunks_module, "sync_filesystem", syncfs_spy)
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT UNSIGNED PRIMARY KEY, t VARCHAR(100))")
        c.execute("INSERT INTO big SELECT seq, CONCAT('row ', seq, REPEAT(' x', seq % 9)) FROM seq_1_to_40000")
        c.execute("CREATE TABLE small (k VARCHAR(10) PRIMARY KEY)")
        c.execute("INSERT INTO small VALUES ('a')")
        c.execute("ANALYZE TABLE big")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=workers))
    partial = dump_module.partial_path(out)
    # where each synced file was when it was synced, relative to the dump (a chunk is
    # synced under its temporary name, and a part of a split table before its renumbering)
    rel = {os.path.relpath(p, partial) for p in synced if p == str(partial) or p.startswith(str(partial) + os.sep)}
    files = {str(f.relative_to(out)) for f in out.rglob("*") if f.is_file()}
    small_files = {f for f in files if not f.startswith("data/")}
    assert small_files >= {"schema.sql", "triggers.sql", "database.sql", "manifest.json", "scripts/load.sql",
                           "scripts/disable.sql", "scripts/cleanup.sql"}
    assert small_files - {"manifest.json"} <= rel and ".manifest.json.tmp" in rel
    chunks = [c for t in read_manifest(out).tables for c in t["chunks"]]
    assert len({p for p in rel if p.startswith("data/")}) >= len(chunks) >= 2 + (workers > 1)
    assert {".", "data", "scripts"} <= rel, "the directories of the dump"
    manifest_at = next(i for i, p in enumerate(synced) if p.endswith(".manifest.json.tmp"))
    assert all(i < manifest_at for i, p in enumerate(synced) if "/data/" in p), "every chunk before the manifest"
    assert synced[-1] == str(tmp_path), "last: the directory that holds the dump, after the rename"


def test_the_manifest_hashes_the_small_files_from_what_was_written_without_reading_them_back(server, db, tmp_path,
                                                                                             monkeypatch):
    """schema.sql, the post-data files and the scripts are hashed from the bytes the sink
    wrote: the dump does not read them back, and the manifest's entries are the files' own
    size and XXH3-128 on disk; a file the sink did not write is still read and hashed."""
    from dumpcore.dump import dump as dump_module
    from dumpcore.store.hashing import hash_file

    with server.connect(db) as c:
        c.execute("CREATE TABLE t (id INT PRIMARY KEY)")
        c.execute("INSERT INTO t VALUES (1), (2)")
    read_back: list[str] = []
    real = dump_module.hash_file
    monkeypatch.setattr(dump_module, "hash_file", lambda path: read_back.append(str(path)) or real(path))
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions())
    assert read_back == []
    others = read_manifest(out).data["other_files"]
    names = {o["file"] for o in others}
    assert {"schema.sql", "database.sql", "scripts/load.sql"} <= names
    assert names == {p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and p.parent.name != "data" and p.name != "manifest.json"}
    for o in others:
        assert (o["xxh3_128"], o["bytes"]) == hash_file(out / o["file"]), o["file"]
    extra = out / "notes.txt"
    extra.write_bytes(b"not written by the sink\n")
    assert dump_module._other_file("notes.txt", extra, {}) == {
        "file": "notes.txt", "bytes": 24, "xxh3_128": xxhash.xxh3_128_hexdigest(b"not written by the sink\n")}
    assert read_back == [str(extra)]


# -- the source is left as it was ----------------------------------------------------------------


@pytest.fixture(scope="module")
def unchanged_src(server):
    """AUTO_INCREMENT counters ahead of the rows (deleted ones), a cached SEQUENCE feeding a
    key, an FK (for --annotate and --stats), a keyless table."""
    name = "unchanged_src"
    with server.connect() as c:
        q = quote_ident(name)
        c.execute(f"DROP DATABASE IF EXISTS {q}")
        c.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
        c.execute(f"CREATE SEQUENCE {q}.s START WITH 1 INCREMENT BY 1 CACHE 1000")
        c.execute(f"CREATE TABLE {q}.parent (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, "
                  "name VARCHAR(20) NOT NULL)")
        c.execute(f"CREATE TABLE {q}.child (id BIGINT NOT NULL DEFAULT NEXTVAL({q}.s) PRIMARY KEY, "
                  f"parent_id INT NOT NULL, v INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES {q}.parent (id))")
        c.execute(f"CREATE TABLE {q}.log (v INT NOT NULL, note VARCHAR(20))")
        c.execute(f"INSERT INTO {q}.parent (v, name) SELECT seq, CONCAT('p', seq) FROM {q}.seq_1_to_60")
        c.execute(f"DELETE FROM {q}.parent WHERE id > 50")  # AUTO_INCREMENT stays at 61
        c.execute(f"INSERT INTO {q}.child (parent_id, v) SELECT 1 + seq % 50, seq FROM {q}.seq_1_to_300")
        c.execute(f"INSERT INTO {q}.log SELECT seq, REPEAT('x', seq % 20) FROM {q}.seq_1_to_100")
    yield name
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def _source_state(conn, name: str) -> dict:
    """Content checksums, AUTO_INCREMENT counters and the sequence's stored row: nothing of
    it may change under a dump."""
    from dbcompare import checksum
    from dumpcore.connect.connection import quote_string

    return {"checksums": checksum(conn, name),
            "auto_increment": conn.query_text("SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES "
                                              f"WHERE TABLE_SCHEMA = {quote_string(name)} ORDER BY TABLE_NAME"),
            "sequence": conn.query_text(f"SELECT * FROM {quote_ident(name)}.s")}


@pytest.mark.parametrize("mode", [["--workers", "1"], [], ["--workers", "2"], ["--stdout"], ["-B"],
                                  ["--compress", "zstd"], ["--annotate"], ["--stats", "child.parent_id"],
                                  ["--no-data"], ["--where", "v % 2 = 0"]],
                         ids=["workers-1", "default-workers", "workers-2", "stdout", "B", "compress", "annotate",
                              "stats", "no-data", "where"])
def test_a_dump_leaves_the_source_unchanged(server, conn, unchanged_src, tmp_path, mode):
    """Every dump mode: the same content, AUTO_INCREMENT counters and stored sequence row
    afterwards, and the SEQUENCE's next value is the one after the last, except where the
    dump says its commit lock flushed the tables (issue #21 item 7: with 2+ workers the
    BACKUP STAGE BLOCK_COMMIT that lines their snapshots up passes through its FLUSH stage,
    which discards the sequence's cached values; the next value then jumps to
    next_not_cached_value). NEXTVAL before and after is this test's own, measured change."""
    name = unchanged_src
    s = f"{quote_ident(name)}.s"
    last = int(conn.scalar(f"SELECT NEXTVAL({s})"))  # the cache is live: the next value is last + 1
    before = _source_state(conn, name)
    where = [] if mode == ["--stdout"] else ["-o", str(tmp_path / "dump")]
    args = ["-B", name, *where] if mode == ["-B"] else [name, *mode, *where]
    res = dumpcore("dump", *args, "-q", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    assert _source_state(conn, name) == before
    flushed = "flushed the server's tables, which discards the values a SEQUENCE has cached" in res.stderr.decode()
    if mode == ["--workers", "2"]:
        assert flushed, res.stderr.decode()  # the one change a dump makes to the source, and it is said
    if mode in (["--workers", "1"], ["--stdout"], ["--annotate"]):  # one worker, binary log off: no lock
        assert not flushed, res.stderr.decode()
    after = int(conn.scalar(f"SELECT NEXTVAL({s})"))
    if flushed:
        assert after == int(before["sequence"][0][0]) > last + 1  # next_not_cached_value: the cache was dropped
    else:
        assert after == last + 1
