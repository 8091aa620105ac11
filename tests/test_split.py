"""A big table of any key is cut into key ranges that the dump's workers share (issue #22):
composite and string keys of mixed types, a clustering unique key without a primary key.

The tables are generated (one seeded random.Random): keys over case-insensitive text holding
the same word in several cases, NUL, quote and backslash bytes, strings of the column's full
length in 4-byte characters, latin1 and raw bytes, binary UUIDs, dates, decimals and
temporals. SPLIT_BYTES is set small so test-sized tables are cut. Each check can fail: the
ranges are computed on the server and checked there (each row in exactly one range, each
walked range holding exactly the rows it was cut at), and a dump read by two workers is
restored and compared raw with the source, and with a dump read by one.
"""
from __future__ import annotations

import random
import threading

import pytest

from dbcompare import raw_rows
from dumpcore.connect.connection import quote_ident
from dumpcore.dump import dump as dump_module
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.schema import keyrange
from dumpcore.schema.schema import load_schema
from dumpcore.store.manifest import read_manifest
from generated_schema import EDGE_TEXT, random_text, text_literal

ROWS = 1500
# Words that a case-insensitive collation folds together, and bytes a careless literal gets wrong.
CASES = ["abc", "ABC", "aBc", "Abc", "é", "É", "straße", "STRASSE", "x  ", "x"]


def _code(r: random.Random) -> str:
    pick = r.random()
    if pick < 0.35:
        return r.choice(CASES)
    if pick < 0.5:
        return r.choice(EDGE_TEXT)
    if pick < 0.6:
        return r.choice(["😀", "中", "é", "z"]) * 32  # the column's full length, in 1- to 4-byte characters
    return random_text(r, "utf8mb4", 32)  # type: ignore[return-value]


def _unique(r: random.Random, charset: str, i: int) -> bytes:
    """Unique whatever the charset's default collation folds: a random prefix, then the row number."""
    prefix = random_text(r, charset, 8)
    raw = prefix if isinstance(prefix, bytes) else prefix.encode({"latin1": "cp1252", "koi8r": "koi8_r"}[charset])
    return raw.rstrip(b" ") + b"#%d" % i


def _decimal(r: random.Random) -> str:
    return f"{r.choice(['-', ''])}{r.randint(0, 999999999)}.{r.randint(0, 999):03d}"


# name -> (CREATE TABLE body, the i-th row's values as SQL literals)
TABLES = {
    "code_seq": ("code VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, seq INT NOT NULL, "
                 "v VARCHAR(200), PRIMARY KEY (code, seq)",
                 lambda r, i: [text_literal(_code(r), "utf8mb4"), str(r.randint(-5, 5) * 1000000 + i),
                               text_literal(random_text(r, "utf8mb4", 200), "utf8mb4")]),
    "tenant_id": ("tenant INT NOT NULL, id BIGINT UNSIGNED NOT NULL, v VARCHAR(100), PRIMARY KEY (tenant, id)",
                  lambda r, i: [str(r.choice([1, 1, 1, 2, 7, -3])), str(2**64 - 1 - i if i % 5 == 0 else i),
                                text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "uuid_bin": ("id BINARY(16) NOT NULL PRIMARY KEY, v VARCHAR(100)",
                 lambda r, i: [f"X'{(bytes(r.getrandbits(8) for _ in range(12)) + i.to_bytes(4, 'big')).hex()}'"
                               if i % 7 else f"X'{i.to_bytes(16, 'little').hex()}'",  # zero bytes, trailing NULs
                               text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "day_amount": ("d DATE NOT NULL, amount DECIMAL(13,3) NOT NULL, ts DATETIME(6) NOT NULL, v VARCHAR(100), "
                   "PRIMARY KEY (d, amount, ts)",
                   lambda r, i: [f"'{r.randint(1990, 1992)}-{r.randint(1, 12):02d}-{r.randint(1, 3):02d}'",
                                 _decimal(r) if i % 3 else r.choice(["0.000", "-0.001", "0.001"]),
                                 f"'2020-01-01 00:00:{i % 60:02d}.{i:06d}'",
                                 text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "latin_name": ("name VARCHAR(20) CHARACTER SET latin1 NOT NULL PRIMARY KEY, at TIME(3) NOT NULL, v TEXT",
                   lambda r, i: [text_literal(_unique(r, "latin1", i), "latin1"), f"'-{i % 838}:00:00.{i % 1000:03d}'",
                                 text_literal(random_text(r, "utf8mb4", 150), "utf8mb4")]),
    "order_line": ("order_id INT NOT NULL, line SMALLINT NOT NULL, v VARCHAR(100), PRIMARY KEY (order_id, line)",
                   lambda r, i: [str(i // 3 * 7 - 2000), str(i % 3 - 1), text_literal(random_text(r, "utf8mb4", 100),
                                                                                    "utf8mb4")]),
    "price_at": ("price DECIMAL(12,4) NOT NULL, at TIMESTAMP(3) NOT NULL DEFAULT '2001-01-01', v VARCHAR(100), "
                 "PRIMARY KEY (price, at)",
                 lambda r, i: [_decimal(r)[:12], f"'2001-02-03 04:05:{i % 60:02d}.{i % 1000:03d}'",
                               text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "moment": ("at DATETIME(6) NOT NULL PRIMARY KEY, v VARCHAR(100)",
               lambda r, i: [f"'{r.choice([1000, 1970, 2038, 9999])}-0{r.randint(1, 9)}-1{r.randint(0, 9)} "
                             f"{r.randint(0, 23):02d}:00:00.{i:06d}'",
                             text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "koi_name": ("name VARCHAR(30) CHARACTER SET koi8r NOT NULL PRIMARY KEY, v VARCHAR(100)",
                 lambda r, i: [text_literal(_unique(r, "koi8r", i), "koi8r"),
                               text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
    "unique_only": ("a VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, b SMALLINT NOT NULL, "
                    "c INT NULL, v VARCHAR(100), UNIQUE KEY ab (a, b), UNIQUE KEY c (c)",
                    lambda r, i: [text_literal(r.choice(CASES), "utf8mb4"), str(i - 700), "NULL" if i % 2 else str(i),
                                  text_literal(random_text(r, "utf8mb4", 100), "utf8mb4")]),
}


@pytest.fixture
def generated(server, db):
    r = random.Random(22)
    with server.connect(db) as c:
        for name, (body, row) in TABLES.items():
            c.execute(f"CREATE TABLE {quote_ident(name)} ({body}) ENGINE=InnoDB")
            values = [f"({', '.join(row(r, i))})" for i in range(ROWS)]
            for k in range(0, ROWS, 300):  # a key drawn twice is kept once
                c.execute(f"INSERT IGNORE INTO {quote_ident(name)} VALUES {', '.join(values[k:k + 300])}")
            c.execute(f"ANALYZE TABLE {quote_ident(name)}")
    return db


def test_the_key_ranges_hold_every_row_once_and_the_walked_ones_exactly_their_step(server, generated):
    """Computed in one snapshot and checked by the server: each row is in exactly one range;
    each walked range (all but the last) holds exactly ``step`` rows, which only exact
    boundary literals compared in the column's collation give."""
    with server.connect(generated) as c:
        c.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        schema = load_schema(c, generated, with_ddl=False)
        methods: dict[str, str] = {}
        for name in TABLES:
            table = schema.tables[name]
            found = keyrange.split_key(c, generated, table)
            assert found is not None, name
            key, index = found
            assert key == (("a", "b") if name == "unique_only" else table.primary_key)
            q = f"{quote_ident(generated)}.{quote_ident(name)}"
            total = int(c.scalar(f"SELECT COUNT(*) FROM {q}"))
            step = random.Random(name).randint(7, 60)
            bounds = keyrange.walk_bounds(c, generated, name, [table.column(k) for k in key], index, step)
            assert len(bounds) == total // step  # every step-th key
            edges = [None, *bounds, None]
            conditions = [keyrange.range_condition(key, edges[k], edges[k + 1]) for k in range(len(edges) - 1)]
            counts = [int(c.scalar(f"SELECT COUNT(*) FROM {q} WHERE {cond}")) for cond in conditions]
            assert counts == [step] * len(bounds) + [total % step], name
            in_ranges = " + ".join(f"({cond})" for cond in conditions)
            assert c.scalar(f"SELECT COUNT(*) FROM {q} WHERE {in_ranges} <> 1") == "0", name
            # a range is read as a range of the key's index, not the whole table
            plan = c.query_text(f"EXPLAIN SELECT * FROM {q} WHERE {conditions[1]}")
            assert plan[0][3] == "range" and plan[0][5] == index, (name, plan)
            # the ranges the dump uses (probed, stepped or walked, by the key): each row in one
            few = keyrange.first_values(c, generated, name, table.column(key[0]), index, 64) if len(key) > 1 else None
            methods[name] = keyrange.split_method([table.column(k) for k in key], few)
            cut = keyrange.split_conditions(c, generated, table, 8)
            counts = [int(c.scalar(f"SELECT COUNT(*) FROM {q} WHERE {cond}")) for cond in cut]
            assert sum(counts) == total and len(cut) >= 3, (name, counts)
            # steps are even in value, not rows (moment's values cluster); probes and walks are by rows
            assert methods[name] == "steps" or max(counts) < total // 2, (name, counts)
            in_ranges = " + ".join(f"({cond})" for cond in cut)
            assert c.scalar(f"SELECT COUNT(*) FROM {q} WHERE {in_ranges} <> 1") == "0", name
        c.execute("COMMIT")
    assert methods == {"code_seq": "probes", "tenant_id": "values", "uuid_bin": "probes", "day_amount": "steps",
                       "latin_name": "probes", "order_line": "steps", "price_at": "steps", "moment": "steps",
                       "koi_name": "walk", "unique_only": "values"}


def test_two_workers_share_every_big_table_and_restore_what_one_reads(server, generated, tmp_path, monkeypatch):
    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 16 << 10)
    units: list = []
    readers: dict[str, set[str]] = {}
    real_units, real_dump_table = dump_module._units, dump_module._dump_table

    def spy_units(p):
        units.extend(real_units(p))
        return units

    def spy_dump_table(p, name, *args, **kwargs):
        readers.setdefault(name, set()).add(threading.current_thread().name)
        return real_dump_table(p, name, *args, **kwargs)

    monkeypatch.setattr(dump_module, "_units", spy_units)
    monkeypatch.setattr(dump_module, "_dump_table", spy_dump_table)
    two = dump_to_directory(server, generated, tmp_path / "two", DumpOptions(workers=2, chunk_size=32 << 10))
    for name in TABLES:
        assert len([u for u in units if u.table == name]) >= 4, name
    assert set().union(*readers.values()) == {"dump-worker-0", "dump-worker-1"}
    one = dump_to_directory(server, generated, tmp_path / "one", DumpOptions(workers=1, chunk_size=32 << 10))
    m1, m2 = read_manifest(tmp_path / "one"), read_manifest(tmp_path / "two")
    fp = lambda t: sum(int(c["fingerprint"], 16) for c in t["chunks"]) % 2**64  # noqa: E731
    with server.connect() as c:
        for name in TABLES:
            total = int(c.scalar(f"SELECT COUNT(*) FROM {quote_ident(generated)}.{quote_ident(name)}"))
            assert m2.table(name)["rows"] == m1.table(name)["rows"] == total > ROWS // 2, name
            assert fp(m2.table(name)) == fp(m1.table(name)), name
            assert len(m2.table(name)["chunks"]) > 1, name
        assert one.rows == two.rows
        # --since the split dump keeps its ranges: a row changed, one deleted, one added
        q = lambda t: f"{quote_ident(generated)}.{quote_ident(t)}"  # noqa: E731
        c.execute(f"UPDATE {q('code_seq')} SET v = 'changed' ORDER BY code DESC, seq DESC LIMIT 1")
        c.execute(f"DELETE FROM {q('uuid_bin')} ORDER BY id LIMIT 1")
        c.execute(f"INSERT INTO {q('latin_name')} VALUES (_latin1 X'E9FF00', '1:00:00', 'new')")
        three = dump_to_directory(server, generated, tmp_path / "three",
                                  DumpOptions(workers=2, chunk_size=32 << 10, since=str(tmp_path / "two")))
        assert three.incremental.reused_chunks > 0 and not three.incremental.whole, three.incremental
        assert three.incremental.ranges_changed >= 3
        for label in ("one", "two", "three"):
            target = f"{generated}_{label}"
            c.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
            try:
                summary = restore(tmp_path / label, server, RestoreOptions(database=target, parallel=2))
                assert summary.failure() is None and summary.proof_state() == "proven", (label, summary.failure())
                for name in TABLES:
                    rows = raw_rows(c, target, name) == raw_rows(c, generated, name)
                    assert rows == (label == "three" or name not in ("code_seq", "uuid_bin", "latin_name")), \
                        (label, name)
            finally:
                c.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_a_key_without_exact_literals_or_a_prefix_key_is_read_whole(server, db, tmp_path, monkeypatch):
    """A key the split cannot write exactly (FLOAT, ENUM), or whose index holds a prefix of a
    column or a descending part (the walk would sort), is one unit; so is a table with
    neither key nor a NOT NULL unique key."""
    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 4 << 10)
    bodies = {"f": "k FLOAT NOT NULL PRIMARY KEY", "e": "k ENUM('b', 'a') NOT NULL PRIMARY KEY",
              "p": "k VARCHAR(50) NOT NULL, PRIMARY KEY (k(3))", "n": "k INT NULL UNIQUE",
              "d": "k VARCHAR(20) NOT NULL, PRIMARY KEY (k DESC)"}
    with server.connect(db) as c:
        for name, body in bodies.items():
            c.execute(f"CREATE TABLE {name} ({body}, v VARCHAR(200))")
        c.execute("INSERT INTO f SELECT seq / 7, REPEAT('x', 200) FROM seq_1_to_300")
        c.execute("INSERT INTO e VALUES ('a', REPEAT('x', 200)), ('b', REPEAT('y', 200))")
        c.execute("INSERT INTO p SELECT CONCAT(seq, '-x'), REPEAT('x', 200) FROM seq_100_to_400")
        c.execute("INSERT INTO n SELECT IF(seq % 2, seq, NULL), REPEAT('x', 200) FROM seq_1_to_300")
        c.execute("INSERT INTO d SELECT seq, REPEAT('x', 200) FROM seq_1_to_300")
        schema = load_schema(c, db, with_ddl=False)
        for name in bodies:
            assert keyrange.split_key(c, db, schema.tables[name]) is None, name
            assert keyrange.split_conditions(c, db, schema.tables[name], 8) == [None], name
    summary = dump_to_directory(server, db, tmp_path / "d", DumpOptions(workers=2))
    assert {t.table: t.rows for t in summary.tables} == {"d": 300, "e": 2, "f": 300, "n": 300, "p": 301}


def test_a_zero_date_key_is_walked_instead_of_stepped(server, db):
    with server.connect(db) as c:
        c.execute("SET SESSION sql_mode = ''")
        c.execute("CREATE TABLE z (k DATE NOT NULL PRIMARY KEY)")
        c.execute("INSERT INTO z SELECT '2000-01-01' + INTERVAL seq DAY FROM seq_1_to_299")
        c.execute("INSERT INTO z VALUES ('0000-00-00')")
        c.execute("ANALYZE TABLE z")
        table = load_schema(c, db, with_ddl=False).tables["z"]
        assert keyrange.split_method([table.column("k")], None) == "steps"
        assert keyrange.step_bounds(c, db, "z", table.column("k"), 4) is None
        cut = keyrange.split_conditions(c, db, table, 4)
        counts = [int(c.scalar(f"SELECT COUNT(*) FROM z WHERE {cond}")) for cond in cut]
        assert len(cut) >= 4 and sum(counts) == 300 and max(counts) <= 100, counts
