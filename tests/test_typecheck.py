"""dumpcore.schema.typecheck: which target column types hold every dumped value exactly.

One line per case: dumped type, target type, and None (fits) or a piece of the reason.
A text type is written ``type/charset`` (or ``type/charset/collation``)."""
import json
import re
import shutil

import pytest

from clirun import conn_args, dumpcore
from dbcompare import checksum, raw_rows
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.store.manifest import read_manifest, write_manifest
from dumpcore.schema.typecheck import ColumnType, as_dumped, column_type_of, describe, fits, notes
from conftest import journal_file


def ct(spec: str, nullable: bool | None = None) -> ColumnType:
    parts = spec.split("/")
    return ColumnType(parts[0], *(parts[1:] + [None, None])[:2], nullable=nullable)


CASES = [
    # integers: range containment, signedness
    ("int(11)", "int(11)", None),
    ("int(11)", "int", None),  # display width is not a limit (MySQL 8 drops it)
    ("tinyint(4)", "smallint(6)", None),
    ("smallint(6)", "mediumint(9)", None),
    ("mediumint(9)", "int(11)", None),
    ("int(11)", "bigint(20)", None),
    ("int(10) unsigned", "bigint(20)", None),
    ("tinyint(3) unsigned", "smallint(6)", None),
    ("bigint(20) unsigned", "bigint(20) unsigned", None),
    ("int(10) unsigned zerofill", "int(10) unsigned", None),
    ("bigint(20)", "int(11)", "above 2147483647"),
    ("int(11)", "smallint(6)", "above 32767"),
    ("int(11)", "mediumint(9)", "above 8388607"),
    ("smallint(6)", "tinyint(4)", "above 127"),
    ("int(10) unsigned", "int(11)", "above 2147483647"),
    ("tinyint(3) unsigned", "tinyint(4)", "above 127"),
    ("bigint(20) unsigned", "bigint(20)", "above 9223372036854775807"),
    ("int(11)", "int(10) unsigned", "negative values"),
    ("tinyint(4)", "bigint(20) unsigned", "negative values"),
    # DECIMAL: scale and integer digits; integers into DECIMAL and back
    ("decimal(10,2)", "decimal(10,2)", None),
    ("decimal(10,2)", "decimal(12,2)", None),
    ("decimal(10,2)", "decimal(12,4)", None),
    ("decimal(10,2) unsigned", "decimal(10,2)", None),
    ("decimal(10,0)", "decimal(10,0)", None),
    ("decimal(20,6)", "decimal(24,2)", "would round values (6 -> 2 decimal places)"),
    ("decimal(10,2)", "decimal(10,1)", "(2 -> 1 decimal places)"),
    ("decimal(10,2)", "decimal(10,4)", "above 999999.9999"),
    ("decimal(12,2)", "decimal(10,2)", "above 99999999.99"),
    ("decimal(10,2)", "decimal(10,2) unsigned", "negative values"),
    ("int(11)", "decimal(10,0)", None),
    ("int(11)", "decimal(12,2)", None),
    ("int(11)", "decimal(9,0)", "above 999999999"),
    ("bigint(20) unsigned", "decimal(20,0)", None),
    ("decimal(9,0)", "int(11)", None),
    ("decimal(10,0)", "int(11)", "above 2147483647"),
    ("decimal(5,2)", "int(11)", "(2 -> 0 decimal places)"),
    # FLOAT / DOUBLE
    ("float", "float", None),
    ("float", "double", None),
    ("float unsigned", "float", None),
    ("double", "double", None),
    ("float(7,4)", "float(9,6)", None),
    ("float(7,4)", "double", None),
    ("double", "float", "single precision"),
    ("float", "float unsigned", "negative values"),
    ("float", "float(7,4)", "to 4 decimal places"),
    ("float(7,4)", "float(7,2)", "(4 -> 2 decimal places)"),
    ("double(10,2)", "double(9,2)", "8 integer digits"),
    ("float", "decimal(30,10)", "another kind"),
    ("decimal(10,2)", "double", "another kind"),
    ("int(11)", "double", "another kind"),
    # temporal: fractional seconds; no crossing between kinds
    ("datetime", "datetime", None),
    ("datetime", "datetime(6)", None),
    ("datetime(3)", "datetime(6)", None),
    ("timestamp", "timestamp(3)", None),
    ("time", "time(6)", None),
    ("date", "date", None),
    ("year(4)", "year", None),
    ("datetime(6)", "datetime", "would round fractional seconds (6 -> 0 digits)"),
    ("datetime(6)", "datetime(3)", "(6 -> 3 digits)"),
    ("timestamp(6)", "timestamp", "(6 -> 0 digits)"),
    ("time(2)", "time(1)", "(2 -> 1 digits)"),
    ("date", "datetime", "another kind"),
    ("datetime", "timestamp", "another kind"),
    ("timestamp", "datetime", "another kind"),
    ("datetime", "date", "another kind"),
    ("year(4)", "smallint(6)", "another kind"),
    # character strings: length in characters, TEXT in bytes, CHAR padding
    ("varchar(10)/utf8mb4", "varchar(10)/utf8mb4", None),
    ("varchar(10)/utf8mb4", "varchar(20)/utf8mb4", None),
    ("char(10)/utf8mb4", "char(20)/utf8mb4", None),
    ("char(10)/utf8mb4", "varchar(10)/utf8mb4", None),
    ("varchar(100)/utf8mb4", "text/utf8mb4", None),
    ("varchar(16383)/utf8mb4", "text/utf8mb4", None),
    ("varchar(16384)/utf8mb4", "text/utf8mb4", "longer than 65535 bytes"),
    ("text/utf8mb4", "mediumtext/utf8mb4", None),
    ("text/utf8mb4", "text/utf8mb4", None),
    ("tinytext/utf8mb4", "varchar(255)/utf8mb4", None),
    ("varchar(20)/utf8mb4", "varchar(10)/utf8mb4", "longer than 10 characters"),
    ("char(20)/utf8mb4", "char(10)/utf8mb4", "longer than 10 characters"),
    ("mediumtext/utf8mb4", "text/utf8mb4", "longer than 65535 bytes"),
    ("text/utf8mb4", "varchar(1000)/utf8mb4", "longer than 1000 characters"),
    ("varchar(10)/utf8mb4", "char(10)/utf8mb4", "drops trailing spaces"),
    ("text/utf8mb4", "char(255)/utf8mb4", "drops trailing spaces"),
    ("varchar(10)/utf8mb4", "int(11)", "another kind"),
    ("int(11)", "varchar(20)/utf8mb4", "another kind"),
    ("varchar(10)/utf8mb4", "varbinary(40)", "another kind"),
    # character sets: a charset that holds every character fits; TEXT's byte limit grows
    ("varchar(10)/utf8mb3", "varchar(10)/utf8mb4", None),
    ("varchar(10)/utf8", "varchar(10)/utf8mb3", None),
    ("varchar(10)/latin1", "varchar(10)/utf8mb4", None),
    ("varchar(10)/koi8r", "varchar(10)/utf8mb3", None),
    ("varchar(10)/ascii", "varchar(10)/latin1", None),
    ("varchar(10)/cp1251", "varchar(10)/utf16", None),
    ("text/utf8mb3", "text/utf8mb4", None),  # the same bytes
    ("text/ascii", "text/utf8mb4", None),
    ("varchar(10)/utf8mb4", "varchar(10)/latin1", "latin1 cannot hold (utf8mb4 -> latin1)"),
    ("varchar(10)/utf8mb4", "varchar(10)/utf8mb3", "utf8mb3 cannot hold"),
    ("varchar(10)/latin1", "varchar(10)/latin2", "latin2 cannot hold"),
    ("varchar(10)/cp1251", "varchar(10)/koi8r", "koi8r cannot hold"),
    ("varchar(10)/ascii", "varchar(10)/swe7", "swe7 cannot hold"),
    ("text/latin1", "text/utf8mb4", "longer than 65535 bytes in utf8mb4"),  # as CONVERT TO makes it MEDIUMTEXT
    ("text/latin1", "mediumtext/utf8mb4", None),
    # ENUM / SET: every member, spelled the same
    ("enum('a','b')", "enum('a','b')", None),
    ("enum('a','b')", "enum('b','a','c')", None),
    ("enum('it''s','b')", "enum('it''s','b')", None),
    ("set('x','y')", "set('x','y','z')", None),
    ("enum('a','b','c')", "enum('a','b')", "lacks the member(s) 'c'"),
    ("enum('a','B')", "enum('a','b')", "lacks the member(s) 'B'"),
    ("enum('it''s')", "enum('its')", "lacks the member(s) 'it''s'"),
    ("set('x','y','z')", "set('x')", "'y', 'z'"),
    ("set('x','y')", "set('w','x','v','y','z')", None),  # new members anywhere: the old keep their order
    ("set('x','y')", "set('y','x')", "another order"),
    ("enum('a','b')", "enum('b','a')", None),  # an ENUM value is one member: its text does not change
    ("enum('a')", "set('a')", "another kind"),
    ("enum('a')", "varchar(10)/utf8mb4", "another kind"),
    ("enum('a','b')/utf8mb4", "enum('a','b')/latin1", "latin1 cannot hold"),
    # binary strings: BINARY pads with zero bytes
    ("binary(16)", "binary(16)", None),
    ("binary(16)", "varbinary(16)", None),
    ("varbinary(10)", "varbinary(20)", None),
    ("varbinary(255)", "blob", None),
    ("blob", "longblob", None),
    ("tinyblob", "varbinary(255)", None),
    ("binary(16)", "binary(20)", "pads shorter values with zero bytes"),
    ("varbinary(16)", "binary(16)", "pads shorter values with zero bytes"),
    ("varbinary(20)", "varbinary(10)", "longer than 10 bytes"),
    ("blob", "tinyblob", "longer than 255 bytes"),
    ("blob", "text/utf8mb4", "another kind"),
    # BIT widths
    ("bit(1)", "bit(1)", None),
    ("bit(8)", "bit(64)", None),
    ("bit(8)", "bit(4)", "wider than 4 bits"),
    ("bit(8)", "tinyint(3) unsigned", "another kind"),
    # JSON (MySQL; MariaDB's is LONGTEXT), INET, UUID, spatial
    ("json", "json", None),
    ("longtext/utf8mb4/utf8mb4_bin", "longtext/utf8mb4/utf8mb4_bin", None),
    ("json", "longtext/utf8mb4/utf8mb4_bin", None),  # MySQL's JSON into MariaDB's
    ("json", "longtext/latin1", "another kind"),
    ("json", "text/utf8mb4", "another kind"),
    ("longtext/utf8mb4", "json", "another kind"),  # MySQL would rewrite the text
    ("inet6", "inet6", None),
    ("inet4", "inet4", None),
    ("uuid", "uuid", None),
    ("inet4", "inet6", "another kind"),
    ("inet6", "varchar(39)/utf8mb4", "another kind"),
    ("uuid", "char(36)/utf8mb4", "another kind"),
    ("point", "point", None),
    ("point", "geometry", None),
    ("polygon", "geometry", None),
    ("geometry", "geometry", None),
    ("geometry", "point", "cannot hold every GEOMETRY value"),
    ("point", "polygon", "cannot hold every POINT value"),
    ("point", "blob", "another kind"),
    # a type this module does not know fits only itself
    ("vector(3)", "vector(3)", None),
    ("vector(3)", "vector(4)", "another kind"),
    ("some future type", "some future type", None),
    ("some future type", "another future type", "cannot compare"),
    ("decimal(5, 2)", "decimal(5,2)", None),
    ("decimal(9999999999,2)", "decimal(10,2)", "cannot compare"),  # a crafted manifest: no 10**9999999999
    ("int" + " " * 5000 + "x", "int(11)", "another kind"),  # no regex backtracking on crafted text
    ("int(1)" + " unsigned" * 5000 + "(", "int(11)", "cannot compare"),
    ("enum('broken", "enum('broken", None),
    ("enum('broken", "enum('broken2", "cannot compare"),
]


@pytest.mark.parametrize("dumped,target,expected", CASES, ids=[f"{d[:40]}->{t[:40]}" for d, t, _ in CASES])
def test_fits(dumped, target, expected):
    reason = fits(ct(dumped), ct(target))
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason, reason


NOTE_CASES = [
    (ct("varchar(10)/utf8mb4/utf8mb4_bin"), ct("varchar(10)/utf8mb4/utf8mb4_bin"), []),
    (ct("varchar(10)/utf8mb4/utf8mb4_bin"), ct("varchar(10)/utf8mb4/utf8mb4_general_ci"),
     ["collation utf8mb4_bin -> utf8mb4_general_ci (sorting and comparisons follow the target's)"]),
    (ct("varchar(10)/utf8/utf8_general_ci"), ct("varchar(10)/utf8mb4/utf8mb4_general_ci"), []),
    (ct("varchar(10)/utf8mb3/utf8mb3_general_ci"), ct("varchar(10)/utf8mb4/utf8mb4_general_ci"), []),
    (ct("varchar(10)/latin1/latin1_swedish_ci"), ct("varchar(10)/utf8mb4/utf8mb4_general_ci"),
     ["collation latin1_swedish_ci -> utf8mb4_general_ci"]),
    (ct("int(11)", nullable=True), ct("int(11)", nullable=False), ["NOT NULL in the target but nullable"]),
    (ct("int(11)", nullable=False), ct("int(11)", nullable=True), []),
    (ct("int(11)", nullable=None), ct("int(11)", nullable=False), []),  # the dump does not say: nothing to say
]


# a column in a unique key of the target: another collation may merge rows
UNIQUE_CASES = [
    ("varchar(10)/utf8mb4/utf8mb4_bin", "varchar(10)/utf8mb4/utf8mb4_bin", None),
    ("varchar(10)/utf8mb3/utf8mb3_general_ci", "varchar(10)/utf8mb4/utf8mb4_general_ci", None),  # the same rules
    ("varchar(10)/utf8/utf8_bin", "varchar(10)/utf8mb4/utf8mb4_bin", None),  # MySQL 5.7's name of utf8mb3
    ("varchar(10)/utf8mb4/utf8mb4_general_ci", "varchar(10)/utf8mb4/utf8mb4_bin", None),  # binary tells all apart
    ("varchar(10)/latin1/latin1_swedish_ci", "varchar(10)/utf8mb4/utf8mb4_bin", None),
    ("varchar(10)/utf8mb4/utf8mb4_nopad_bin", "varchar(10)/utf8mb4/utf8mb4_nopad_bin", None),
    ("varchar(10)/utf8mb4/utf8mb4_bin", "varchar(10)/utf8mb4/utf8mb4_general_ci",
     "rows would merge): utf8mb4_bin -> utf8mb4_general_ci"),
    ("varchar(10)/utf8mb4/utf8mb4_general_ci", "varchar(10)/utf8mb4/utf8mb4_unicode_ci", "rows would merge"),
    ("varchar(10)/utf8mb4/utf8mb4_nopad_bin", "varchar(10)/utf8mb4/utf8mb4_bin", "rows would merge"),  # 'a' = 'a '
    ("varchar(10)/latin1/latin1_bin", "varchar(10)/utf8mb4/utf8mb4_general_ci", "rows would merge"),
    ("varchar(10)/utf8mb4", "varchar(10)/utf8mb4", None),  # an older manifest: no collation, nothing to compare
]


@pytest.mark.parametrize("dumped,target,expected", UNIQUE_CASES)
def test_fits_in_a_unique_key(dumped, target, expected):
    reason = fits(ct(dumped), ct(target), unique=True)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason, reason
        assert fits(ct(dumped), ct(target)) is None  # outside a key: a warning (notes), not a refusal


@pytest.mark.parametrize("dumped,target,expected", NOTE_CASES)
def test_notes(dumped, target, expected):
    found = notes(dumped, target)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found)), found


AS_DUMPED_CASES = [
    ("decimal(20,6)", "decimal(20,6)", "`v`"),
    ("decimal(20,6)", "decimal(24,8)", "CAST(`v` AS DECIMAL(20,6))"),
    ("decimal(9,0)", "int(11)", "CAST(`v` AS DECIMAL(9,0))"),
    ("int(11)", "decimal(12,2)", "CAST(`v` AS SIGNED)"),
    ("bigint(20) unsigned", "decimal(20,0)", "CAST(`v` AS UNSIGNED)"),
    ("int(11)", "bigint(20)", "`v`"),
    ("datetime", "datetime(6)", "CAST(`v` AS DATETIME(0))"),
    ("timestamp(3)", "timestamp(6)", "CAST(`v` AS DATETIME(3))"),
    ("time(2)", "time(6)", "CAST(`v` AS TIME(2))"),
    ("bit(8)", "bit(16)", "UNHEX(LPAD(HEX(`v`), 2, '0'))"),
    ("bit(9)", "bit(64)", "UNHEX(LPAD(HEX(`v`), 4, '0'))"),
    ("varchar(10)", "varchar(20)", "`v`"),
    ("float", "double", "`v`"),
    ("some future type", "int", "`v`"),
]


@pytest.mark.parametrize("dumped,live,expected", AS_DUMPED_CASES)
def test_as_dumped(dumped, live, expected):
    assert as_dumped("`v`", dumped, live) == expected


def test_describe_upper_cases_keywords_not_members():
    assert describe(ct("decimal(20,6) unsigned")) == "DECIMAL(20,6) UNSIGNED"
    assert describe(ct("enum('a','it''s')")) == "ENUM('a','it''s')"


def test_column_type_of_an_older_manifest_entry_knows_only_the_type():
    assert column_type_of({"name": "a", "type": "int(11)"}) == ColumnType("int(11)")
    assert column_type_of({"name": "a", "type": "varchar(3)", "charset": "latin1", "collation": "latin1_bin",
                           "nullable": False}) == ColumnType("varchar(3)", "latin1", "latin1_bin", False)


# -- the restore's pre-flight, against a real server ---------------------------------

# table -> (dumped column type, a narrower target type and the reason it is refused, a wider one)
NARROWED = {
    "prices": ("DECIMAL(20,6)", "DECIMAL(24,2)", "DECIMAL(20,6) -> DECIMAL(24,2) would round values (6 -> 2 "
               "decimal places)", "DECIMAL(24,8)"),
    "stamps": ("DATETIME(3)", "DATETIME", "DATETIME(3) -> DATETIME would round fractional seconds (3 -> 0 digits)",
               "DATETIME(6)"),
    "names": ("VARCHAR(20) CHARACTER SET utf8mb3", "VARCHAR(10) CHARACTER SET utf8mb3",
              "VARCHAR(20) -> VARCHAR(10) would truncate values longer than 10 characters",
              "VARCHAR(30) CHARACTER SET utf8mb4"),
    "counts": ("INT", "SMALLINT", "INT(11) -> SMALLINT(6) would not hold values above 32767", "BIGINT"),
    "states": ("ENUM('a','b','c')", "ENUM('a','b')", "ENUM('a','b','c') -> ENUM('a','b') lacks the member(s) 'c'",
               "ENUM('a','b','c','d')"),
    "sizes": ("INT UNSIGNED", "INT", "INT(10) UNSIGNED -> INT(11) would not hold values above 2147483647", "BIGINT"),
    "flags": ("BIT(8)", "BIT(4)", "BIT(8) -> BIT(4) would not hold values wider than 4 bits", "BIT(16)"),
    "clock": ("TIME(2)", "TIME(1)", "TIME(2) -> TIME(1) would round fractional seconds (2 -> 1 digits)", "TIME(6)"),
    "emoji": ("VARCHAR(20) CHARACTER SET utf8mb4", "VARCHAR(20) CHARACTER SET latin1",
              "VARCHAR(20) -> VARCHAR(20) would lose the characters latin1 cannot hold (utf8mb4 -> latin1)",
              "TEXT CHARACTER SET utf8mb4"),
}
VALUES = {
    "prices": ["12345678901234.123456", "-0.000001", "0"],
    "stamps": ["'2024-02-29 23:59:59.999'", "'1000-01-01 00:00:00.001'", "'2024-01-01 12:00:00.000'"],
    "names": ["'ééééééééééééééééééé€'", "'short'", "''"],
    "counts": ["2147483647", "-2147483648", "0"],
    "states": ["'a'", "'c'", "'b'"],
    "sizes": ["4294967295", "0", "2147483648"],
    "emoji": ["'😀 ok'", "'中文'", "'é'"],
    "flags": ["b'11111111'", "b'0'", "NULL"],
    "clock": ["'-838:59:59.99'", "'838:59:59.01'", "'00:00:00.5'"],
}
# the same value in the dumped and the widened type (the text of a DECIMAL or DATETIME shows its width)
SAME_VALUE = {"prices": "CAST(`v` AS DECIMAL(30,10))", "stamps": "CAST(`v` AS DATETIME(6))",
              "flags": "CAST(`v` AS UNSIGNED)", "clock": "CAST(`v` AS TIME(6))"}


def _create(conn, database: str, column_types: dict[str, str]) -> None:
    for table, ctype in column_types.items():
        conn.execute(f"CREATE TABLE {quote_ident(database)}.{quote_ident(table)} "
                     f"(id INT PRIMARY KEY, v {ctype} NULL) CHARACTER SET utf8mb4")


@pytest.fixture(scope="module")
def typed_dump(server, tmp_path_factory):
    """A table per narrowing case, each holding values only the dumped type holds."""
    name = "typecheck_src"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        _create(c, name, {t: spec[0] for t, spec in NARROWED.items()})
        for table, values in VALUES.items():
            c.execute(f"INSERT INTO {name}.{table} VALUES " + ", ".join(f"({i}, {v})" for i, v in enumerate(values)))
    out = tmp_path_factory.mktemp("typecheck") / "dump"
    dump_to_directory(server, name, out, DumpOptions())
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def _error_line(proc) -> str:
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1, err
    assert len(err.splitlines()) == 1 and err.startswith("Error: restore refused before writing anything"), err
    return err


def test_dump_records_each_columns_charset_collation_and_nullability(typed_dump):
    name, out = typed_dump
    cols = {t["name"]: t["columns"] for t in read_manifest(out).tables}
    assert cols["names"][1] == {"name": "v", "type": "varchar(20)", "kind": 1, "invisible": False,
                                "charset": "utf8mb3", "collation": "utf8mb3_general_ci", "nullable": True}
    assert cols["names"][0]["nullable"] is False
    assert cols["prices"][0]["charset"] is None and cols["prices"][0]["type"] == "int(11)"


def test_narrower_target_columns_are_refused_before_any_write_all_tables_at_once(server, conn, typed_dump, db):
    name, out = typed_dump
    _create(conn, db, {t: spec[1] for t, spec in NARROWED.items()})
    conn.execute(f"INSERT INTO {quote_ident(db)}.prices VALUES (99, 1.25)")  # a row the restore would upsert beside
    before = checksum(conn, db)
    err = _error_line(dumpcore("restore", str(out), "--database", db, *conn_args(server)))
    for table, (_, _, reason, _) in NARROWED.items():
        assert f"table `{table}`: column `v` {reason}" in err, err
    assert "or restore into another database" in err
    assert checksum(conn, db) == before


@pytest.mark.parametrize("table", sorted(NARROWED))
def test_each_narrowing_alone_is_refused(server, conn, typed_dump, db, table):
    name, out = typed_dump
    _create(conn, db, {t: spec[1] if t == table else spec[0] for t, spec in NARROWED.items()})
    before = checksum(conn, db)
    err = _error_line(dumpcore("restore", str(out), "--database", db, "--load-method", "load-data",
                               *conn_args(server)))
    assert err.count("table `") == 1 and f"table `{table}`: column `v` {NARROWED[table][2]}" in err, err
    assert checksum(conn, db) == before


def test_a_widened_target_restores_every_value_exactly(server, conn, typed_dump, db):
    name, out = typed_dump
    _create(conn, db, {t: spec[3] for t, spec in NARROWED.items()})
    proc = dumpcore("restore", str(out), "--database", db, "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["complete"] is True
    for table in NARROWED:
        exprs = ["`id`", SAME_VALUE.get(table, "`v`")]
        assert raw_rows(conn, db, table, exprs) == raw_rows(conn, name, table, exprs), table
    # and verify reads the wider columns as the dump wrote them (it said `prices`, `stamps` ... differ)
    proc = dumpcore("verify", str(out), "--against", db, *conn_args(server))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def test_another_collation_or_not_null_restores_with_a_warning(server, conn, tmp_path, db):
    src = f"{db}_src"
    conn.execute(f"CREATE DATABASE {quote_ident(src)} CHARACTER SET utf8mb4")
    try:
        conn.execute(f"CREATE TABLE {quote_ident(src)}.t (id INT PRIMARY KEY, "
                     "name VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, note VARCHAR(10))")
        conn.execute(f"INSERT INTO {quote_ident(src)}.t VALUES (1, 'Ab', 'x'), (2, 'ab', 'y')")
        dump_to_directory(server, src, tmp_path / "d", DumpOptions())
        conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, name VARCHAR(10) CHARACTER SET utf8mb4 "
                     "COLLATE utf8mb4_general_ci NOT NULL, note VARCHAR(10) NOT NULL)")
        proc = dumpcore("restore", str(tmp_path / "d"), "--database", db, *conn_args(server))
        err = proc.stderr.decode()
        assert proc.returncode == 0, err
        assert re.search(r"Warning: table `t`: column `name` collation utf8mb4_bin -> utf8mb4_general_ci .*; "
                         r"column `note` NOT NULL in the target but nullable in the dump", err), err
        assert raw_rows(conn, db, "t") == raw_rows(conn, src, "t")
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")


def test_a_dump_without_charsets_still_compares_types_and_says_what_it_could_not(server, conn, typed_dump, tmp_path,
                                                                                  db):
    name, out = typed_dump
    old = tmp_path / "old"
    shutil.copytree(out, old)
    m = read_manifest(old)
    for t in m.data["tables"]:  # as dumpcore wrote it before the pre-flight compared types
        t["columns"] = [{k: v for k, v in c.items() if k not in ("charset", "collation", "nullable")}
                        for c in t["columns"]]
    write_manifest(old, {k: v for k, v in m.data.items() if k != "manifest_xxh3_128"})
    # narrower DECIMAL: still refused (the manifest has always held COLUMN_TYPE)
    _create(conn, db, {t: spec[1] if t == "prices" else spec[0] for t, spec in NARROWED.items()})
    err = _error_line(dumpcore("restore", str(old), "--database", db, *conn_args(server)))
    assert f"table `prices`: column `v` {NARROWED['prices'][2]}" in err and err.count("table `") == 1, err
    # types that fit: restored, with a warning that charsets and nullability were not compared
    conn.execute(f"DROP TABLE {quote_ident(db)}.prices")
    _create(conn, db, {"prices": NARROWED["prices"][0]})
    proc = dumpcore("restore", str(old), "--database", db, *conn_args(server))
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Warning: the dump does not record its columns' character sets, collations and nullability" in err


@pytest.mark.parametrize("method", ["upsert", "load-data"])
def test_a_null_into_a_not_null_target_column_is_rejected_not_changed(server, conn, tmp_path, db, method):
    """The warning is enough: a NULL the target refuses fails the restore (it is not made 0 or '')."""
    src = f"{db}_src"
    conn.execute(f"CREATE DATABASE {quote_ident(src)} CHARACTER SET utf8mb4")
    try:
        conn.execute(f"CREATE TABLE {quote_ident(src)}.t (id INT PRIMARY KEY, n INT)")
        conn.execute(f"INSERT INTO {quote_ident(src)}.t VALUES (1, 5), (2, NULL)")
        dump_to_directory(server, src, tmp_path / "d", DumpOptions())
        conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, n INT NOT NULL)")
        proc = dumpcore("restore", str(tmp_path / "d"), "--database", db, "--load-method", method,
                        *conn_args(server))
        err = proc.stderr.decode()
        assert proc.returncode == 1, err
        assert "Warning: table `t`: column `n` NOT NULL in the target but nullable in the dump" in err
        assert err.strip().splitlines()[-1].startswith("Error: 1 row(s) rejected (t: 1)"), err
        assert conn.query_text(f"SELECT id, n FROM {quote_ident(db)}.t") == [("1", "5")]
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")


@pytest.mark.parametrize("key", ["PRIMARY KEY", "UNIQUE KEY"])
def test_a_key_column_whose_collation_may_merge_rows_is_refused_before_any_write(server, conn, tmp_path, db, key):
    """'a' and 'A' are two rows under utf8mb4_bin; a utf8mb4_general_ci key would upsert them into one."""
    src = f"{db}_src"
    conn.execute(f"CREATE DATABASE {quote_ident(src)} CHARACTER SET utf8mb4")
    try:
        conn.execute(f"CREATE TABLE {quote_ident(src)}.t (id INT NOT NULL, name VARCHAR(10) COLLATE utf8mb4_bin "
                     f"NOT NULL, {key} (name), KEY (id))")
        conn.execute(f"INSERT INTO {quote_ident(src)}.t VALUES (1, 'a'), (2, 'A'), (3, 'b')")
        dump_to_directory(server, src, tmp_path / "d", DumpOptions())
        conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT NOT NULL, name VARCHAR(10) COLLATE "
                     f"utf8mb4_general_ci NOT NULL, {key} (name), KEY (id))")
        before = checksum(conn, db)
        err = _error_line(dumpcore("restore", str(tmp_path / "d"), "--database", db, *conn_args(server)))
        assert ("table `t`: column `name` VARCHAR(10) -> VARCHAR(10) is in a unique key, and its collation may take "
                "values the dump's tells apart as equal (rows would merge): utf8mb4_bin -> utf8mb4_general_ci") in err
        assert checksum(conn, db) == before
        # a binary collation keeps them apart (NO PAD: trailing spaces too): restored exactly, with a warning
        conn.execute(f"DROP TABLE {quote_ident(db)}.t")
        conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT NOT NULL, name VARCHAR(10) COLLATE "
                     f"utf8mb4_nopad_bin NOT NULL, {key} (name), KEY (id))")
        proc = dumpcore("restore", str(tmp_path / "d"), "--database", db, *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        assert "column `name` collation utf8mb4_bin -> utf8mb4_nopad_bin" in proc.stderr.decode()
        assert raw_rows(conn, db, "t") == raw_rows(conn, src, "t")
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")


def test_resume_settles_a_keyless_table_whose_target_columns_are_wider(server, conn, tmp_path, db):
    """Chunks committed but not journaled are told by the live table's fingerprint: a wider
    column (DECIMAL(10,3) -> DECIMAL(14,5)) is read as the dump wrote it, or none would match."""
    src = f"{db}_src"
    conn.execute(f"CREATE DATABASE {quote_ident(src)} CHARACTER SET utf8mb4")
    try:
        conn.execute(f"CREATE TABLE {quote_ident(src)}.log (at DATETIME(3), amount DECIMAL(10,3))")
        conn.execute(f"INSERT INTO {quote_ident(src)}.log SELECT '2020-01-01' + INTERVAL seq SECOND, seq / 7 "
                     f"FROM {quote_ident(src)}.seq_1_to_3000")
        d = tmp_path / "d"
        dump_to_directory(server, src, d, DumpOptions(chunk_size=16 << 10, statement_size=4096))
        conn.execute(f"CREATE TABLE {quote_ident(db)}.log (at DATETIME(6), amount DECIMAL(14,5))")
        restore(d, server, RestoreOptions(database=db, parallel=1))
        journal = journal_file(d, server, db)
        lines = journal.read_text().splitlines()
        commits = [i for i, line in enumerate(lines) if '"event":"commit"' in line]
        assert len(commits) >= 2
        # a crash between COMMIT and the journal line: the last two commits never got written
        journal.write_text("\n".join(line for i, line in enumerate(lines) if i not in commits[-2:] and
                                     '"event":"done"' not in line) + "\n")
        summary = restore(d, server, RestoreOptions(database=db, resume=True))
        assert sum(t.chunks for t in summary.tables.values()) == 0  # settled by fingerprint, nothing reloaded
        exprs = ["CAST(`at` AS DATETIME(6))", "CAST(`amount` AS DECIMAL(20,10))"]
        assert raw_rows(conn, db, "log", exprs) == raw_rows(conn, src, "log", exprs)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")
