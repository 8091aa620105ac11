"""Property-based round trip: random tables over every column kind, random and edge values,
dumped and restored through every load path, compared as raw bytes.

CI runs a fixed, derandomized set of examples (fast); `pytest -m long tests/test_property.py`
runs many more, randomized (the `long` marker is deselected by default in pyproject).
"""
import io
import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident, quote_string
from dumpcore.dump.dump import DumpOptions, dump_to_directory, dump_to_stream
from dumpcore.restore.restore import RestoreOptions, restore

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
EDGE_TEXT = st.sampled_from(["", " ", "'", "\\", "\\'", "\0", "\x1a", "\r\n", "NULL", "\\N", "😀", "a\tb", "''",
                             "*/", ";\nINSERT INTO x VALUES (1);", "0x41", "' OR 1=1 --"])


def _int(lo: int, hi: int):
    return st.one_of(st.sampled_from([lo, hi, 0 if lo <= 0 <= hi else lo, lo + 1, hi - 1]),
                     st.integers(lo, hi)).map(str)


def _decimal():
    return st.tuples(st.booleans(), st.integers(0, 10**14 - 1), st.integers(0, 10**6 - 1)).map(
        lambda t: f"{'-' if t[0] else ''}{t[1]}.{t[2]:06d}")


def _double(width: int):
    return st.floats(width=width, allow_nan=False, allow_infinity=False).map(repr)


def _text(max_size: int, alphabet=None):
    base = st.text(alphabet if alphabet is not None else st.characters(blacklist_categories=("Cs",)), max_size=max_size)
    return st.one_of(base, EDGE_TEXT.filter(lambda s: len(s) <= max_size)).map(quote_string)


def _bytes(max_size: int):
    return st.binary(max_size=max_size).map(lambda b: f"X'{b.hex()}'")


def _datetime(lo: datetime, hi: datetime, frac: bool = True):
    fmt = "%Y-%m-%d %H:%M:%S.%f" if frac else "%Y-%m-%d %H:%M:%S"
    return st.datetimes(lo, hi).map(lambda d: f"'{d.strftime(fmt)}'")


def _time():
    limit = int(timedelta(hours=838, minutes=59, seconds=59).total_seconds() * 10**6) + 999999
    def fmt(us: int) -> str:
        sign, us = ("-" if us < 0 else ""), abs(us)
        s, frac = divmod(us, 10**6)
        return f"'{sign}{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}.{frac:06d}'"
    return st.one_of(st.sampled_from([-limit, limit, 0]), st.integers(-limit, limit)).map(fmt)


# (SQL type, strategy of SQL literals)
COLUMN_KINDS = [
    ("TINYINT", _int(-128, 127)),
    ("SMALLINT UNSIGNED", _int(0, 65535)),
    ("MEDIUMINT", _int(-8388608, 8388607)),
    ("INT UNSIGNED", _int(0, 2**32 - 1)),
    ("BIGINT", _int(-2**63, 2**63 - 1)),
    ("BIGINT UNSIGNED", _int(0, 2**64 - 1)),
    ("DECIMAL(20,6)", _decimal()),
    ("FLOAT", _double(32)),
    ("DOUBLE", _double(64)),
    ("BIT(13)", _int(0, 2**13 - 1)),
    ("DATE", st.one_of(st.just("'0000-00-00'"), st.dates(date(1000, 1, 1), date(9999, 12, 31)).map(
        lambda d: f"'{d.isoformat()}'"))),
    ("DATETIME(6)", _datetime(datetime(1000, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999))),
    ("TIMESTAMP(6) NULL", _datetime(datetime(1970, 1, 2), datetime(2038, 1, 18))),
    ("TIME(6)", _time()),
    ("YEAR", st.one_of(st.just("0"), st.integers(1901, 2155).map(str))),
    ("CHAR(10)", _text(10)),
    ("VARCHAR(60)", _text(60)),
    ("TEXT", _text(300)),
    ("VARCHAR(30) CHARACTER SET latin1", _text(30, st.characters(max_codepoint=255, blacklist_characters="\x80\x81"
                                                                   "\x8d\x8f\x90\x9d"))),
    ("VARBINARY(40)", _bytes(40)),
    ("BLOB", _bytes(600)),
    ("ENUM('', 'a', 'b c', 'd''e')", st.sampled_from(["''", "'a'", "'b c'", "'d''e'"])),
    ("SET('x', 'y', 'z')", st.sets(st.sampled_from("xyz")).map(lambda s: "'" + ",".join(sorted(s)) + "'")),
    ("JSON", st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), TEXT),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                          max_leaves=6).map(lambda v: quote_string(__import__("json").dumps(v)))),
    ("UUID", st.uuids().map(lambda u: f"'{u}'")),
    ("INET6", st.ip_addresses(v=6).map(lambda a: f"'{a}'")),
]


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(range(len(COLUMN_KINDS))), min_size=1, max_size=6))
    keyed = draw(st.booleans())
    cols = [(f"c{i}_{k}", COLUMN_KINDS[k]) for i, k in enumerate(kinds)]
    rows = draw(st.lists(st.tuples(*[st.one_of(st.none(), strat) for _, (_, strat) in cols]), max_size=12))
    return keyed, cols, rows


def _check_round_trip(server, conn, keyed, cols, rows, db):
    src, q = f"{db}_src", quote_ident(f"{db}_src")
    targets = {m: f"{db}_{m.replace('-', '_')}" for m in ("upsert", "load-data", "stream")}
    work = Path(tempfile.mkdtemp(prefix="dumpcore-prop-"))
    try:
        for name in [src, *targets.values()]:
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
        conn.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
        conn.execute("SET SESSION time_zone = '+00:00', sql_mode = 'NO_ENGINE_SUBSTITUTION'")
        coldefs = ", ".join(f"{quote_ident(n)} {t}" for n, (t, _) in cols)
        key = "id INT NOT NULL PRIMARY KEY, " if keyed else "id INT NOT NULL, "
        conn.execute(f"CREATE TABLE {q}.t ({key}{coldefs}) DEFAULT CHARSET=utf8mb4")
        for i, row in enumerate(rows):
            values = ", ".join("NULL" if v is None else v for v in row)
            conn.execute(f"INSERT INTO {q}.t VALUES ({i}, {values})")
        out = work / "dump"
        dump_to_directory(server, src, out, DumpOptions(statement_size=4096))
        for method in ("upsert", "load-data"):
            s = restore(out, server, RestoreOptions(database=targets[method], parallel=1, load_method=method))
            assert s.failure() is None, s.failure()
            assert_same_database(conn, src, targets[method])
        stream = io.BytesIO()
        dump_to_stream(server, src, stream, DumpOptions(statement_size=4096))
        conn.execute(f"CREATE DATABASE {quote_ident(targets['stream'])} CHARACTER SET utf8mb4")
        from conftest import run_client
        run_client(server, stream.getvalue(), database=targets["stream"])
        assert_same_database(conn, src, targets["stream"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for name in [src, *targets.values()]:
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


@settings(max_examples=12, derandomize=True, database=None, **COMMON)
@given(table=tables())
def test_random_tables_round_trip_exactly_through_every_load_path(server, conn, db, table):
    _check_round_trip(server, conn, *table, db)


@pytest.mark.long
@settings(max_examples=300, **COMMON)
@given(table=tables())
def test_random_tables_round_trip_exactly_long(server, conn, db, table):
    _check_round_trip(server, conn, *table, db)
