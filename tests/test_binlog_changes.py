"""``dump --since PREV --changes binlog`` (dumpcore/dump/binlog_changes.py): what changed is
read from the binary log instead of fingerprinting every key range.

- the row-image key reader, compiled and reference, over generated images (every size
  kind, NULLs, missing columns, signed and unsigned keys of each width) against the keys
  the generator wrote; damaged images raise the same error in both;
- generated tables (tests/generated_schema.py) on a server of their own with the binary
  log in ROW format, a seeded day of inserts, deletes, key moves and updates (under FULL,
  NOBLOB and MINIMAL row images): the dump --changes binlog is chunk for chunk the dump by
  fingerprints, and restored alone it equals the source raw;
- every reason the log is not trusted (a statement-format change, DDL on the database, a
  reset log, PREV without a position) falls back to fingerprints, said in a warning and
  the manifest, and the result is still exact; string keys (a case-blind collation, a
  composite key) are placed in ranges by the server, a date key is fingerprinted alone.
"""
from __future__ import annotations

import json
import os
import random

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database
from dumpcore.codec import _encoder, reference
from dumpcore.connect.connection import quote_ident, quote_string
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import ServerError
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sandbox import Sandbox
from dumpcore.store.manifest import read_manifest
from generated_schema import SQL_MODES, generate_database

SMALL = dict(workers=1, validate="none", chunk_size=2048, statement_size=1024)
TWINS = [("compiled", _encoder.binlog_row_keys), ("reference", reference.binlog_row_keys)]
EXAMPLES = int(os.environ.get("DUMPCORE_BINLOG_EXAMPLES", "4"))


# ---------------------------------------------------------------------------
# The key reader, on generated row images


def _image(rnd: random.Random, sizes, present, keys, signed):
    """One row image of the present columns: (bytes, the key it holds)."""
    shown = [c for c in range(len(sizes)) if present[c >> 3] >> (c & 7) & 1]
    nulls = bytearray((len(shown) + 7) // 8)
    body = b""
    key = {}
    for j, c in enumerate(shown):
        if c not in keys and rnd.random() < 0.2:
            nulls[j >> 3] |= 1 << (j & 7)
            continue
        size = sizes[c]
        if c in keys and signed[keys.index(c)] is None:  # a key read as its bytes
            value = bytes(rnd.randrange(256) for _ in range(size if size >= 0 else rnd.choice([0, 1, 5, 40])))
            key[c] = value
            body += (len(value).to_bytes(-size, "little") if size < 0 else b"") + value
        elif c in keys:
            width = 8 * size
            s = signed[keys.index(c)]
            lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if s else (0, (1 << width) - 1)
            v = rnd.choice([lo, hi, 0, -1 if s else 1, rnd.randint(lo, hi)])
            key[c] = v
            body += v.to_bytes(size, "little", signed=s)
        elif size >= 0:
            body += bytes(rnd.randrange(256) for _ in range(size))
        else:
            n = rnd.choice([0, 1, rnd.randrange(1 << min(8 * -size, 10))])
            body += n.to_bytes(-size, "little") + bytes(rnd.randrange(256) for _ in range(n))
    return bytes(nulls) + body, tuple(key.get(k) for k in keys)


@pytest.mark.parametrize("seed", range(6))
def test_both_readers_find_the_keys_the_images_hold(seed):
    rnd = random.Random(seed)
    for _ in range(150):
        ncols = rnd.randint(1, 20)
        sizes = tuple(rnd.choice([0, 1, 2, 3, 4, 5, 8, 16, -1, -2, -3, -4]) for _ in range(ncols))
        keys = tuple(rnd.sample(range(ncols), rnd.randint(0, min(3, ncols))))
        # an integer key column is signed or not; any column may be read as its bytes (None)
        signed = tuple(rnd.choice([True, False, None]) if sizes[c] in (1, 2, 3, 4, 8) else None for c in keys)
        width = (ncols + 7) // 8

        def bitmap():
            bits = bytearray(width)
            for c in range(ncols):
                if c in keys or rnd.random() < 0.8:
                    bits[c >> 3] |= 1 << (c & 7)
            if not any(bits):  # an image holds a column at least (its null bitmap's byte)
                bits[0] = 1
            return bytes(bits)
        present = bitmap()
        after = bitmap() if rnd.random() < 0.5 else None
        head = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 9)))
        buf, expected = head, []
        for _ in range(rnd.randint(0, 6)):
            for bits in ([present] if after is None else [present, after]):
                img, key = _image(rnd, sizes, bits, keys, signed)
                buf += img
                expected.append(key)
        tail = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 5)))
        data = buf + tail
        for name, read in TWINS:
            assert read(data, len(head), len(buf), sizes, present, after, keys, signed) == expected, name
        # cut short: both refuse with the same words, or (a last row of one byte) both read
        # fewer whole rows; run on into other bytes: both read the same
        for end, cut in ((len(buf) - 1, True), (len(data), False)):
            if end <= len(head) or end == len(buf):
                continue
            answers = []
            for name, read in TWINS:
                try:
                    answers.append(read(data, len(head), end, sizes, present, after, keys, signed))
                except ValueError as exc:
                    answers.append(f"ValueError: {exc}")
            assert answers[0] == answers[1], answers
            if cut and not isinstance(answers[0], str):
                assert len(answers[0]) < len(expected) and answers[0] == expected[:len(answers[0])]
    for name, read in TWINS:  # no column present: a row of no bytes, never an endless loop
        with pytest.raises(ValueError, match="a row of no bytes"):
            read(b"\x00", 0, 1, (4, 4), b"\x00", None, (), ())


def test_readers_refuse_keys_that_are_not_integers_and_bitmaps_of_the_wrong_size():
    for name, read in TWINS:
        with pytest.raises(ValueError, match="not a fixed-size integer"):
            read(b"", 0, 0, (-1, 4), b"\x03", None, (0,), (True,))
        assert read(b"\x00\x02ab\x07\x00\x00\x00", 0, 8, (-1, 4), b"\x03", None, (0, 1), (None, True)) == [(b"ab", 7)]
        with pytest.raises(ValueError, match="bitmap of the wrong size"):
            read(b"", 0, 0, (4,), b"\x01\x00", None, (0,), (True,))
        with pytest.raises(ValueError, match="outside the buffer"):
            read(b"\x00", 0, 5, (4,), b"\x01", None, (0,), (True,))


# ---------------------------------------------------------------------------
# On a server whose binary log is ROW


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    root = tmp_path_factory.mktemp("binlogrow")
    sandbox = Sandbox(root, extra_args=("--log-bin=binlog", "--server-id=9", "--binlog-format=ROW",
                                        f"--tmpdir={root}"), tied=True)
    sandbox.start()
    try:
        yield sandbox.options
    finally:
        sandbox.stop(remove=True)


@pytest.fixture
def bconn(box):
    with box.connect() as c:
        yield c


def _fresh(conn, name: str) -> str:
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
    conn.execute(f"CREATE DATABASE {quote_ident(name)}")
    return name


def _hashes(directory) -> dict[str, list[str]]:
    return {t["name"]: [c["xxh3_128"] for c in t["chunks"]] for t in read_manifest(directory).data["tables"]}


def _restored_equal(box, conn, directory, source: str) -> None:
    target = _fresh(conn, source + "_r")
    conn.execute(f"DROP DATABASE {quote_ident(target)}")
    try:
        s = restore(directory, box, RestoreOptions(database=target, parallel=2))
        assert s.failure() is None and s.proof_state() == "proven"
        assert_same_database(conn, source, target)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def _both(box, db, tmp_path, prev):
    """The dump --since PREV by the binary log, then by fingerprints (nothing changes between)."""
    by_log = dump_to_directory(box, db, tmp_path / "by_log", DumpOptions(**SMALL, since=str(prev), changes="binlog"))
    by_fp = dump_to_directory(box, db, tmp_path / "by_fp", DumpOptions(**SMALL, since=str(prev)))
    assert by_fp.incremental.changes == "fingerprints"
    assert _hashes(tmp_path / "by_log") == _hashes(tmp_path / "by_fp")
    return by_log


def _try(conn, sql: str) -> None:
    try:
        conn.execute(sql)
    except ServerError:
        pass  # the generated day's own misses (a key moved onto another, a value out of range)


def _day(conn, db: str, rnd: random.Random, later: dict[str, list[str]]) -> None:
    """A seeded day of use: the held-back rows inserted, rows deleted, keys moved, values set."""
    conn.execute(f"SET SESSION binlog_row_image = {quote_string(rnd.choice(['FULL', 'NOBLOB', 'MINIMAL']))}")
    cols = conn.query_text("SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE, EXTRA, COLUMN_KEY, DATA_TYPE "
                           f"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {quote_string(db)}")
    for table, inserts in later.items():
        q = quote_ident(table)
        for sql in inserts:
            _try(conn, sql)
        _try(conn, f"DELETE FROM {q} ORDER BY RAND({rnd.randrange(1000)}) LIMIT {rnd.randint(0, 3)}")
        for _, column, nullable, extra, key, dtype in [c for c in cols if c[0] == table]:
            c = quote_ident(column)
            if key == "PRI" and dtype in ("tinyint", "smallint", "mediumint", "int", "bigint"):
                _try(conn, f"UPDATE {q} SET {c} = {c} + {rnd.choice([1, 5, 100])} "
                           f"ORDER BY RAND({rnd.randrange(1000)}) LIMIT 1")
            elif nullable == "YES" and "GENERATED" not in extra.upper() and rnd.random() < 0.5:
                _try(conn, f"UPDATE {q} SET {c} = NULL ORDER BY RAND({rnd.randrange(1000)}) LIMIT 2")


@pytest.mark.parametrize("seed", range(EXAMPLES))
def test_generated_tables_the_log_finds_what_fingerprints_find(box, bconn, tmp_path, seed):
    example = generate_database(seed, tables=4, max_rows=200, source_mode=SQL_MODES[seed % len(SQL_MODES)],
                                time_zone="+00:00")
    db = _fresh(bconn, f"bl_gen{seed}")
    rnd = random.Random(seed)
    later: dict[str, list[str]] = {}
    with box.connect(db) as c:
        c.execute(f"SET SESSION sql_mode = {quote_string(example.source_mode)}, time_zone = '+00:00'")
        for t in example.tables:
            cut = len(t.inserts) - rnd.randint(0, len(t.inserts) // 10)  # most rows there before PREV
            for sql in [t.create, *t.inserts[:cut], *t.after]:
                c.execute(sql)
            later[t.name] = t.inserts[cut:]
        dump_to_directory(box, db, tmp_path / "prev", DumpOptions(**SMALL))
        _day(c, db, rnd, later)
    summary = _both(box, db, tmp_path, tmp_path / "prev")
    inc = summary.incremental
    assert inc.changes == "binlog", (summary.warnings, example.reproduction())
    # a table falls back only for what is known not to be read: the hidden period columns of a
    # system-versioned table, a key of dates or decimals; never a misread event
    versioned = {t.name for t in example.tables if "system-versioned" in t.features}
    for table, why in inc.fingerprinted.items():
        assert (table in versioned and "columns, the table" in why) or " is " in why, (table, why)
    since = read_manifest(tmp_path / "by_log").data["since"]
    assert since["changes"] == "binlog" and since["binlog"]["bytes"] > 0
    _restored_equal(box, bconn, tmp_path / "by_log", db)


def _keyed(conn, db: str) -> None:
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.n (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(300), b BLOB, d DECIMAL(20,6), "
                 "t DATETIME(6), e ENUM('x','y'), bits BIT(13))")
    conn.execute(f"INSERT INTO {q}.n SELECT seq * 2, REPEAT('v', seq % 290), IF(seq % 3, NULL, REPEAT('b', seq)), "
                 f"seq / 3, '2026-01-01 00:00:00.5' + INTERVAL seq SECOND, IF(seq % 2, 'x', 'y'), seq "
                 f"FROM {q}.seq_1_to_600")
    conn.execute(f"CREATE TABLE {q}.s (k VARCHAR(20) PRIMARY KEY, v INT)")
    conn.execute(f"INSERT INTO {q}.s SELECT CONCAT('k', seq), seq FROM {q}.seq_1_to_3000")
    # a composite key with a case-blind string: ranges placed by the server, in its collation
    conn.execute(f"CREATE TABLE {q}.ts (t INT, name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, "
                 "v INT, PRIMARY KEY (t, name))")
    conn.execute(f"INSERT INTO {q}.ts SELECT seq % 3, CONCAT(IF(seq % 2, 'Ä', 'a'), seq), seq FROM {q}.seq_1_to_3000")
    conn.execute(f"CREATE TABLE {q}.dk (k DATETIME(3) PRIMARY KEY, v INT)")
    conn.execute(f"INSERT INTO {q}.dk SELECT '2026-01-01' + INTERVAL seq MINUTE, seq FROM {q}.seq_1_to_200")
    conn.execute(f"CREATE TABLE {q}.nokey (v INT)")
    conn.execute(f"INSERT INTO {q}.nokey SELECT seq FROM {q}.seq_1_to_50")


def _change(conn, db: str) -> None:
    q = quote_ident(db)
    conn.execute(f"UPDATE {q}.n SET v = 'changed' WHERE id BETWEEN 100 AND 110")
    conn.execute(f"UPDATE {q}.n SET id = 1001 WHERE id = 400")  # a key moved: both ranges change
    conn.execute(f"DELETE FROM {q}.n WHERE id = 900")
    conn.execute(f"INSERT INTO {q}.n (id, v) VALUES (5000, 'past the last'), (3, 'between')")
    conn.execute(f"UPDATE {q}.s SET v = -v WHERE k = 'k42'")
    conn.execute(f"UPDATE {q}.s SET k = 'k9999' WHERE k = 'k7'")
    conn.execute(f"UPDATE {q}.ts SET v = 0 WHERE t = 1 AND name = 'ä7'")  # stored as 'Ä7': found by the collation
    conn.execute(f"INSERT INTO {q}.ts VALUES (2, 'zz new', 1), (0, '', 2)")
    conn.execute(f"UPDATE {q}.dk SET v = 0 WHERE v = 100")


def test_string_keys_are_placed_by_the_server_and_other_keys_fingerprinted_alone(box, bconn, tmp_path):
    db = _fresh(bconn, "bl_mixed")
    _keyed(bconn, db)
    dump_to_directory(box, db, tmp_path / "prev", DumpOptions(**SMALL))
    _change(bconn, db)
    summary = _both(box, db, tmp_path, tmp_path / "prev")
    inc = summary.incremental
    assert inc.changes == "binlog"
    assert list(inc.fingerprinted) == ["dk"] and "integers or strings" in inc.fingerprinted["dk"]
    assert inc.binlog["tables_changed"] == 4 and inc.whole == {}  # the keyless table did not change: linked
    # the string keys' ranges: only those holding a changed key were dumped anew
    prev, new = _hashes(tmp_path / "prev"), _hashes(tmp_path / "by_log")
    for table in ("s", "ts"):
        assert 0 < sum(h not in prev[table] for h in new[table]) < len(prev[table]) / 2, table
    assert 3 <= inc.ranges_changed < len(read_manifest(tmp_path / "prev").table("n")["chunks"]) / 2
    _restored_equal(box, bconn, tmp_path / "by_log", db)
    # the summary says where the changes came from
    out = dumpcore("dump", db, *conn_args(box), "-o", str(tmp_path / "cli"), "--since", str(tmp_path / "by_log"),
                   "--changes", "binlog", "--json")
    assert out.returncode == 0, out.stderr
    inc = json.loads(out.stdout)["incremental"]
    assert inc["changes"] == "binlog" and inc["reused_chunks"] > 0 and inc["ranges_changed"] == 0


@pytest.mark.parametrize("why", ["statement", "ddl", "reset"])
def test_a_log_that_cannot_be_trusted_falls_back_to_fingerprints_and_says_why(box, bconn, tmp_path, why):
    db = _fresh(bconn, f"bl_untrusted_{why}")
    _keyed(bconn, db)
    dump_to_directory(box, db, tmp_path / "prev", DumpOptions(**SMALL))
    q = quote_ident(db)
    if why == "statement":  # a session that logs its change as the statement
        bconn.execute("SET SESSION binlog_format = 'STATEMENT'")
        bconn.execute(f"UPDATE {q}.n SET v = 'by statement' WHERE id = 20")
        bconn.execute("SET SESSION binlog_format = 'ROW'")
        said = "logged as a statement"
    elif why == "ddl":
        bconn.execute(f"ALTER TABLE {q}.n ADD INDEX (v)")
        bconn.execute(f"UPDATE {q}.n SET v = 'after ddl' WHERE id = 20")
        said = "a statement on the database"
    else:
        bconn.execute("RESET MASTER")
        bconn.execute(f"UPDATE {q}.n SET v = 'after reset' WHERE id = 20")
        said = "binary log"
    _change(bconn, db)
    summary = _both(box, db, tmp_path, tmp_path / "prev")
    assert summary.incremental.changes == "fingerprints"
    warned = [w for w in summary.warnings if w.startswith("--changes binlog: the binary log is not used")]
    assert len(warned) == 1 and said in warned[0], summary.warnings
    since = read_manifest(tmp_path / "by_log").data["since"]
    assert since["changes"] == "fingerprints" and said in since["binlog"]["unused"]
    _restored_equal(box, bconn, tmp_path / "by_log", db)


def test_prev_without_a_binlog_position_falls_back(server, conn, db, tmp_path):
    # the session's server runs without a binary log: PREV records none
    _keyed(conn, db)
    dump_to_directory(server, db, tmp_path / "prev", DumpOptions(**SMALL))
    conn.execute(f"UPDATE {quote_ident(db)}.n SET v = 'x' WHERE id = 20")
    s = dump_to_directory(server, db, tmp_path / "new", DumpOptions(**SMALL, since=str(tmp_path / "prev"),
                                                                     changes="binlog"))
    assert s.incremental.changes == "fingerprints" and s.incremental.ranges_changed == 1
    assert any("PREV has no binary log position" in w for w in s.warnings), s.warnings


def test_changes_needs_since_and_a_known_method(server, db, tmp_path):
    for args, said in ((["--changes", "binlog"], "Error: --changes binlog tells what changed since a previous "
                                                "dump: give --since PREV"),
                       (["--since", str(tmp_path), "--changes", "fast"], "Error: --changes takes fingerprints or "
                                                                          "binlog, not 'fast'")):
        out = dumpcore("dump", db, *conn_args(server), "-o", str(tmp_path / "out"), *args)
        assert out.returncode != 0 and out.stderr.decode().splitlines()[0] == said, out.stderr
        assert not (tmp_path / "out").exists()


def test_the_log_is_read_with_the_options_of_a_defaults_file(box, bconn, tmp_path):
    # mariadb-binlog takes the connection's options as the mariadb client does: a
    # --defaults-file must come first on its command line
    from dumpcore.connect.connection import ConnectionOptions

    db = _fresh(bconn, "bl_optfile")
    _keyed(bconn, db)
    cnf = tmp_path / "my.cnf"
    cnf.write_text(f"[client]\nhost=127.0.0.1\nport={box.port}\nuser={box.user}\n")
    via_file = ConnectionOptions(defaults_file=str(cnf))
    dump_to_directory(via_file, db, tmp_path / "prev", DumpOptions(**SMALL))
    _change(bconn, db)
    s = dump_to_directory(via_file, db, tmp_path / "new", DumpOptions(**SMALL, since=str(tmp_path / "prev"),
                                                                       changes="binlog"))
    assert s.incremental.changes == "binlog", s.warnings
    _restored_equal(box, bconn, tmp_path / "new", db)
