"""Random tables and values for the generated round-trip suite (tests/test_generated_roundtrip.py).

Everything comes from one seeded ``random.Random``, so a seed names an example exactly: the
same seed gives the same CREATE TABLE and INSERT statements on every machine, and a failure
report carries them as its reproduction.

Literals are written so that they mean the same bytes under every sql_mode the suite sets
(ANSI_QUOTES, NO_BACKSLASH_ESCAPES, ORACLE, ...): identifiers in backticks, text as
``_charset X'..'`` (no quote or backslash inside a literal), numbers and temporals plain.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from dumpcore.codec import KIND_HEX, KIND_NUMBER, KIND_STRING

# The global sql_modes rows are inserted, dumped and loaded under ('' is the server default).
SQL_MODES = ["", "NO_AUTO_VALUE_ON_ZERO", "PAD_CHAR_TO_FULL_LENGTH", "NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ORACLE"]
TIME_ZONES = ["+00:00", "+05:30", "SYSTEM"]
CHARSETS = ["utf8mb4", "utf8mb3", "latin1", "koi8r", "cp1251", "binary"]

# Characters each character set can hold (the server's own mapping agrees with Python's for these).
_COMMON = list("abcXYZ019 _-,.;:!?'\"\\`%*/()[]{}<>=+#@$&|~^") + ["\t", "\n", "\r", "\0", "\x1a", "  "]
_ALPHABETS = {
    "utf8mb4": _COMMON + list("éñßÿ中文表€№") + ["😀", "𝄞", "\u00a0", "\u2028"],
    "utf8mb3": _COMMON + list("éñßÿ中文表€№") + ["\u00a0", "\u2028"],
    "latin1": _COMMON + list("éñßÿ¤©±ÆØ"),
    "koi8r": _COMMON + list("абвгдЖЗИЁё"),
    "cp1251": _COMMON + list("абвгдЖЗИЁё€№"),
}
# Python's codec for each server character set (MariaDB's latin1 is cp1252 for these characters).
_CODECS = {"utf8mb4": "utf-8", "utf8mb3": "utf-8", "latin1": "cp1252", "koi8r": "koi8_r", "cp1251": "cp1251"}

# Strings a careless encoder gets wrong.
EDGE_TEXT = ["", " ", "'", "''", "\\", "\\'", "\\N", "NULL", "\0", "a\0b", "\n", "\r\n", "\t", "\x1a", "x  ",
             "  x", "*/", "-- c", ";\nDROP TABLE t;", "\"", "`", "0x41", "' OR 1=1 --", "%", "_"]

INT_TYPES = {  # name: (signed min, signed max, unsigned max)
    "TINYINT": (-2**7, 2**7 - 1, 2**8 - 1), "SMALLINT": (-2**15, 2**15 - 1, 2**16 - 1),
    "MEDIUMINT": (-2**23, 2**23 - 1, 2**24 - 1), "INT": (-2**31, 2**31 - 1, 2**32 - 1),
    "BIGINT": (-2**63, 2**63 - 1, 2**64 - 1),
}
FLOAT_EDGES = ["0", "-0e0", "1", "-1", "3.4028234663852886e38", "-3.4028234663852886e38",
               "1.1754943508222875e-38", "1.401298464324817e-45", "0.1", "16777217"]
DOUBLE_EDGES = ["0", "-0e0", "1", "-1", "1.7976931348623157e308", "-1.7976931348623157e308",
                "2.2250738585072014e-308", "5e-324", "0.1", "9007199254740993", "1e-300"]


def text_literal(text: str | bytes, charset: str) -> str:
    """A literal for ``text`` in ``charset`` that reads the same under every sql_mode."""
    raw = text if isinstance(text, bytes) else text.encode(_CODECS[charset])
    if charset == "binary":
        return f"X'{raw.hex()}'" if raw else "''"
    return f"_{charset} X'{raw.hex()}'" if raw else f"_{charset} ''"


def random_text(rnd: random.Random, charset: str, max_chars: int) -> str | bytes:
    """Text of at most ``max_chars`` characters that ``charset`` can hold (bytes for binary)."""
    if charset == "binary":
        if rnd.random() < 0.3:
            return rnd.choice([b"", b"\0", b"\0\0\0", b" ", b"\xff" * min(max_chars, 4), b"'\\\n"])[:max_chars]
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, max_chars)))
    if rnd.random() < 0.3:
        return rnd.choice(EDGE_TEXT)[:max_chars]
    if charset in ("latin1", "koi8r", "cp1251") and rnd.random() < 0.1:
        # any byte: a client whose character set is the column's stores bytes unchecked, even
        # one the set leaves undefined (cp1251's 0x98)
        return bytes(rnd.choice([0x98, 0x81, 0xff, rnd.randint(0x80, 0xff)]) for _ in range(rnd.randint(1, max_chars)))
    alphabet = _ALPHABETS[charset]
    out = ""
    for _ in range(rnd.randint(0, max_chars)):
        piece = rnd.choice(alphabet)
        if len(out) + len(piece) > max_chars:
            break
        out += piece
    if rnd.random() < 0.2 and len(out) + 2 <= max_chars:
        out += "  "  # trailing spaces: CHAR strips them, VARCHAR keeps them
    return out


@dataclass
class Column:
    """One column: its definition and how to make a value for it (None: SQL NULL)."""
    name: str
    ddl: str
    value: Callable[[random.Random], str | None] | None  # None: generated, never inserted
    numeric_int: bool = False  # usable as a partitioning / unique key of integers
    enum_without_empty: bool = False  # an ENUM with no '' member: '' stores its error value

    @property
    def insertable(self) -> bool:
        return self.value is not None


@dataclass
class GeneratedTable:
    """A random table: its CREATE TABLE, its INSERTs, and statements run after them (history)."""
    name: str
    create: str
    inserts: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    non_strict_only: bool = False  # may hold a value only a non-strict sql_mode stores (ENUM '')
    enum_error_value: bool = False  # does: an ENUM's '' error value (issue #20 item 6)

    def statements(self) -> list[str]:
        return [self.create, *self.inserts, *self.after]


def _maybe_null(rnd: random.Random, make: Callable[[random.Random], str]) -> Callable[[random.Random], str | None]:
    return lambda r: None if r.random() < 0.1 else make(r)


def _int_column(rnd: random.Random) -> tuple[str, Callable[[random.Random], str], bool]:
    base = rnd.choice(list(INT_TYPES))
    lo, hi, uhi = INT_TYPES[base]
    unsigned = rnd.random() < 0.4
    lo, hi = (0, uhi) if unsigned else (lo, hi)
    edges = [lo, hi, 0, 1, lo + 1, hi - 1] + ([-1] if lo < 0 else [])
    return (f"{base}{' UNSIGNED' if unsigned else ''}",
            lambda r: str(r.choice(edges) if r.random() < 0.4 else r.randint(lo, hi)), True)


def _decimal_column(rnd: random.Random):
    precision = rnd.choice([1, 5, 10, 18, 20, 38, 65, rnd.randint(1, 65)])
    scale = rnd.choice([0, min(precision, 30), rnd.randint(0, min(precision, 30))])
    whole = precision - scale
    unsigned = rnd.random() < 0.15

    def value(r: random.Random) -> str:
        sign = "" if unsigned or r.random() < 0.5 else "-"
        if r.random() < 0.3:  # the widest value, zero, negative zero, the smallest step
            int_part = "9" * whole if r.random() < 0.5 else "0"
            frac = "9" * scale if r.random() < 0.5 else "0" * (scale - 1) + "1" if scale else ""
        else:
            int_part = str(r.randint(0, 10**whole - 1)) if whole else "0"
            frac = "".join(r.choice("0123456789") for _ in range(scale))
        return f"{sign}{int_part}{'.' + frac if frac else ''}"
    return f"DECIMAL({precision},{scale}){' UNSIGNED' if unsigned else ''}", value, False


def _float_column(rnd: random.Random):
    if rnd.random() < 0.5:
        return "FLOAT", lambda r: r.choice(FLOAT_EDGES) if r.random() < 0.4 else repr(
            float(f"{r.uniform(-1, 1) * 10 ** r.randint(-38, 37):.7g}")), False
    return "DOUBLE", lambda r: r.choice(DOUBLE_EDGES) if r.random() < 0.4 else repr(
        r.uniform(-1, 1) * 10 ** r.randint(-307, 307)), False


def _bit_column(rnd: random.Random):
    width = rnd.choice([1, 7, 8, 13, 63, 64, rnd.randint(1, 64)])
    return f"BIT({width})", lambda r: f"b'{r.choice([0, 2**width - 1, r.getrandbits(width)]):b}'", False


def _frac(r: random.Random, fsp: int) -> str:
    if not fsp:
        return ""
    return "." + "".join(r.choice("0123456789") for _ in range(fsp))


def _temporal_column(rnd: random.Random):
    kind = rnd.choice(["DATE", "TIME", "DATETIME", "TIMESTAMP", "YEAR"])
    fsp = rnd.randint(0, 6)
    if kind == "DATE":
        return "DATE", lambda r: r.choice(["'0000-00-00'", "'1000-01-01'", "'9999-12-31'", "'2000-02-29'"]) \
            if r.random() < 0.3 else f"'{r.randint(1000, 9999):04d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}'", False
    if kind == "YEAR":
        return "YEAR", lambda r: str(r.choice([0, 1901, 2155, 2000, r.randint(1901, 2155)])), False
    if kind == "TIME":
        def time_value(r: random.Random) -> str:
            if r.random() < 0.3:
                return r.choice(["'-838:59:59'", "'838:59:59'", "'00:00:00'", "'-00:00:01'", "'24:00:00'",
                                 "'-00:00:00" + (".000001'" if fsp == 6 else "'")])
            sign = "-" if r.random() < 0.4 else ""
            return f"'{sign}{r.randint(0, 837)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}{_frac(r, fsp)}'"
        return f"TIME({fsp})", time_value, False
    if kind == "DATETIME":
        def datetime_value(r: random.Random) -> str:
            if r.random() < 0.25:
                return r.choice(["'0000-00-00 00:00:00'", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59'"])
            return (f"'{r.randint(1000, 9999):04d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} "
                    f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}{_frac(r, fsp)}'")
        return f"DATETIME({fsp})", datetime_value, False

    def timestamp_value(r: random.Random) -> str:  # inside the range in every time zone the suite sets
        if r.random() < 0.15:
            return "'0000-00-00 00:00:00'"
        return (f"'{r.randint(1971, 2037):04d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} "
                f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}{_frac(r, fsp)}'")
    return f"TIMESTAMP({fsp}) NULL DEFAULT NULL", timestamp_value, False


def _string_column(rnd: random.Random):
    charset = rnd.choice(CHARSETS)
    kind = rnd.choice(["CHAR", "VARCHAR", "TEXT"])
    if kind == "TEXT":
        length, ddl = 200, rnd.choice(["TINYTEXT", "TEXT", "MEDIUMTEXT"])
        if charset == "binary":
            ddl = ddl.replace("TEXT", "BLOB")
    else:
        length = rnd.choice([1, 5, 10, 40, 255]) if kind == "CHAR" else rnd.choice([1, 10, 60, 300])
        ddl = f"{kind}({length})"
        if charset == "binary":
            ddl = ("BINARY" if kind == "CHAR" else "VARBINARY") + f"({length})"
    if charset != "binary":
        ddl += f" CHARACTER SET {charset}"
    return ddl, lambda r: text_literal(random_text(r, charset, length), charset), False


def _member(text: str) -> str:
    """An ENUM/SET member in its definition (no introducer allowed there; no backslash in these)."""
    return "'" + text.replace("'", "''") + "'"


def _enum_set_column(rnd: random.Random):
    # non-ASCII members only where the column's character set holds them: elsewhere the server
    # turns them into '?' (two of them make a definition a strict restore refuses, see the report)
    wide = rnd.random() < 0.5
    members = rnd.sample(["", "a", "b c", "d'e", "x/y", "Z", "1"] + (["é", "ÿ", "中"] if wide else []),
                         rnd.randint(1, 5))
    charset = " CHARACTER SET utf8mb4" if wide else ""
    listed = ", ".join(_member(m) for m in members)
    if rnd.random() < 0.5:
        # '' when it is no member is the error value a non-strict mode stores (issue #20 item 6)
        return f"ENUM({listed}){charset}", lambda r: text_literal(r.choice(members + [""]), "utf8mb4"), False
    members = [m for m in members if m] or ["s"]
    listed = ", ".join(_member(m) for m in members)
    return f"SET({listed}){charset}", lambda r: text_literal(",".join(
        m for m in members if r.random() < 0.5), "utf8mb4"), False


def _json_value(r: random.Random, depth: int = 0):
    pick = r.randint(0, 6 if depth < 2 else 3)
    if pick == 0:
        return None
    if pick == 1:
        return r.choice([True, False])
    if pick == 2:
        return r.choice([0, -1, 2**53, -2**63, 1.5, 1e300, r.randint(-10**6, 10**6)])
    if pick == 3:
        return random_text(r, "utf8mb4", 12)
    if pick in (4, 5):
        return [_json_value(r, depth + 1) for _ in range(r.randint(0, 3))]
    return {random_text(r, "utf8mb4", 6): _json_value(r, depth + 1) for _ in range(r.randint(0, 3))}


def _other_column(rnd: random.Random):
    kind = rnd.choice(["JSON", "INET4", "INET6", "UUID"])
    if kind == "JSON":
        return "JSON", lambda r: text_literal(json.dumps(_json_value(r), ensure_ascii=r.random() < 0.5), "utf8mb4"), False
    if kind == "INET4":
        return "INET4", lambda r: "'" + ".".join(str(r.choice([0, 255, r.randint(0, 255)])) for _ in range(4)) + "'", False
    if kind == "INET6":
        return "INET6", lambda r: r.choice(["'::'", "'::1'", "'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'",
                                            "'::ffff:1.2.3.4'"]) if r.random() < 0.3 else \
            "'" + ":".join(f"{r.getrandbits(16):x}" for _ in range(8)) + "'", False
    return "UUID", lambda r: "'" + "-".join(f"{r.getrandbits(4 * n):0{n}x}" for n in (8, 4, 4, 4, 12)) + "'", False


COLUMN_MAKERS = [_int_column, _decimal_column, _float_column, _bit_column, _temporal_column, _string_column,
                 _string_column, _enum_set_column, _other_column]


def _key_columns(rnd: random.Random, zero_is_value: bool) -> tuple[str, list[tuple[str, str, Callable[[random.Random, int, int], str]]], str]:
    """(key kind, key columns as (name, ddl, value of the i-th row), PRIMARY KEY clause)."""
    kind = rnd.choice(["auto", "auto", "int", "composite", "string", "keyless", "unique"])
    if kind == "auto":  # AUTO_INCREMENT holding 0 (under NO_AUTO_VALUE_ON_ZERO), gaps, and negatives
        base = rnd.choice(["INT", "BIGINT UNSIGNED", "SMALLINT", "MEDIUMINT UNSIGNED"])
        ids = [rnd.choice([1, 7])]
        for _ in range(200):  # increasing, with gaps
            ids.append(ids[-1] + rnd.choice([1, 1, 2, 10]))
        zero_at = rnd.choice([0, 0, 3, -1])  # the row of id 0: first, or among the others (-1: none)

        def auto_id(r: random.Random, i: int, rows: int) -> str:
            # 0 means "the next value" unless NO_AUTO_VALUE_ON_ZERO: then, like NULL, only last,
            # where the value it takes cannot collide with an explicit id after it
            last = i == rows - 1
            if zero_at >= 0 and (i == zero_at if zero_is_value else last):
                return "0"
            if last and r.random() < 0.3:
                return "NULL"
            return str(ids[i])
        return kind, [("id", f"{base} NOT NULL AUTO_INCREMENT", auto_id)], "PRIMARY KEY (`id`)"
    if kind == "int":
        return kind, [("k", "BIGINT NOT NULL", lambda r, i, n: str(i * 3 - 4))], "PRIMARY KEY (`k`)"
    if kind == "composite":
        charset = rnd.choice(["utf8mb4", "latin1", "binary"])
        ddl = "VARBINARY(40) NOT NULL" if charset == "binary" else f"VARCHAR(40) CHARACTER SET {charset} NOT NULL"
        return kind, [("k1", "INT NOT NULL", lambda r, i, n: str(i % 3)),
                      ("k2", ddl, lambda r, i, n: text_literal(_unique_text(r, charset, i), charset))], \
            "PRIMARY KEY (`k1`, `k2`)"
    if kind == "string":
        charset = rnd.choice(["utf8mb4", "utf8mb3", "latin1", "koi8r", "cp1251"])
        return kind, [("s", f"VARCHAR(40) CHARACTER SET {charset} NOT NULL",
                       lambda r, i, n: text_literal(_unique_text(r, charset, i), charset))], "PRIMARY KEY (`s`)"
    if kind == "unique":  # no primary key, a nullable unique key: NULLs repeat
        return kind, [("u", "INT NULL", lambda r, i, n: "NULL" if r.random() < 0.3 else str(i))], "UNIQUE KEY (`u`)"
    return kind, [], ""


def _unique_text(r: random.Random, charset: str, i: int) -> str | bytes:
    """A key text unique within its table whatever the collation folds (case, trailing spaces)."""
    prefix = random_text(r, charset, 8)
    if isinstance(prefix, bytes):
        return prefix + b"#%d" % i
    return prefix + f"#{i}"


def generate_table(rnd: random.Random, name: str, max_rows: int = 12, zero_is_value: bool = False) -> GeneratedTable:
    """A random table over random column kinds and options, with rows of edge and random values."""
    key_kind, key_cols, key_clause = _key_columns(rnd, zero_is_value)
    features = [f"key:{key_kind}"]
    columns: list[Column] = []
    for n in range(rnd.randint(1, 6)):
        ddl, make, numeric_int = rnd.choice(COLUMN_MAKERS)(rnd)
        if rnd.random() < 0.15 and (key_cols or n):  # a table needs one visible column
            ddl += " INVISIBLE"
            features.append("invisible")
        columns.append(Column(f"c{n}", ddl, _maybe_null(rnd, make), numeric_int,
                              ddl.startswith("ENUM(") and not ddl.startswith(("ENUM('',", "ENUM('')"))
                              and ", ''" not in ddl.split(")")[0].replace("''e", "")))
    # generated columns over an ordinary one: HEX() takes every type; not over CHAR, whose value
    # depends on PAD_CHAR_TO_FULL_LENGTH (the server refuses such an expression under it). Over
    # TIMESTAMP, a STORED one holds text of the inserting session's time zone, which a restore
    # (in UTC) computes again differently: the restore must name such a table not proven
    bases = [c for c in columns if not c.ddl.startswith("CHAR(")]
    if bases and rnd.random() < 0.3:
        base = rnd.choice(bases).name
        storage = rnd.choice(["VIRTUAL", "STORED"])
        columns.append(Column("g1", f"TINYINT AS (`{base}` IS NULL) {storage}", None))
        columns.append(Column("g2", f"TEXT AS (CONCAT('h', HEX(`{base}`))) "
                                    f"{rnd.choice(['VIRTUAL', 'STORED'])}", None))
        features.append(f"generated:{storage}")
    charset = rnd.choice([c for c in CHARSETS if c != "binary"] + ["binary"])
    defs = [f"`{n}` {d}" for n, d, _ in key_cols] + [f"`{c.name}` {c.ddl}" for c in columns]
    if key_clause:
        defs.append(key_clause)
    unique_col = None
    if key_kind == "keyless" and rnd.random() < 0.3:
        unique_col = next((c for c in columns if c.numeric_int and "INVISIBLE" not in c.ddl), None)
        if unique_col:
            defs.append(f"UNIQUE KEY `uq` (`{unique_col.name}`)")
            features.append("unique")
    options = f" DEFAULT CHARSET={charset}"
    versioned = rnd.random() < 0.2
    if versioned:
        options += " WITH SYSTEM VERSIONING"
        features.append("system-versioned")
    if key_kind in ("auto", "int") and rnd.random() < 0.3:
        options += f" PARTITION BY HASH (`{key_cols[0][0]}`) PARTITIONS {rnd.randint(2, 4)}"
        features.append("partitioned")
    create = f"CREATE TABLE `{name}` (\n  " + ",\n  ".join(defs) + f"\n){options}"
    table = GeneratedTable(name, create, features=features)
    unique_seen: set[str] = set()
    insert_cols = [n for n, _, _ in key_cols] + [c.name for c in columns if c.insertable]
    col_list = ", ".join(f"`{n}`" for n in insert_cols)
    rows = rnd.randint(0, max_rows)
    for i in range(rows):
        values = [make(rnd, i, rows) for _, _, make in key_cols]
        for c in columns:
            if not c.insertable:
                continue
            v = c.value(rnd)
            if c.enum_without_empty and v == text_literal("", "utf8mb4"):
                table.enum_error_value = True
            if c is unique_col and v is not None:
                if v in unique_seen:
                    v = None
                unique_seen.add(v)
            values.append("NULL" if v is None else v)
        table.inserts.append(f"INSERT INTO `{name}` ({col_list}) VALUES ({', '.join(values)})")
    table.non_strict_only = any("ENUM(" in c.ddl for c in columns)
    if versioned and table.inserts and columns[0].insertable:
        # history rows: an UPDATE and a DELETE (history is not dumped yet, see the test module)
        table.after.append(f"UPDATE `{name}` SET `{columns[0].name}` = NULL LIMIT 2")
        table.after.append(f"DELETE FROM `{name}` LIMIT 1")
    return table


@dataclass
class GeneratedDatabase:
    """One example: some tables, the sql_modes and time zone it is made, dumped and loaded under."""
    seed: int
    source_mode: str
    target_mode: str
    time_zone: str
    tables: list[GeneratedTable]

    def reproduction(self) -> str:
        """SQL that rebuilds the source of this example in an empty database."""
        lines = [f"-- seed {self.seed}: SET GLOBAL sql_mode = '{self.source_mode}', time_zone = '{self.time_zone}'; "
                 f"target load under sql_mode '{self.target_mode}'",
                 f"SET SESSION sql_mode = '{self.source_mode}', time_zone = '{self.time_zone}';"]
        for t in self.tables:
            lines.append(f"-- {t.name}: {', '.join(t.features)}")
            lines += [s + ";" for s in t.statements()]
        return "\n".join(lines)


def generate_database(seed: int, tables: int = 4, max_rows: int = 12, source_mode: str | None = None,
                      time_zone: str | None = None) -> GeneratedDatabase:
    """Example ``seed``: its modes, time zone and ``tables`` random tables."""
    rnd = random.Random(seed)
    source = source_mode if source_mode is not None else rnd.choice(SQL_MODES)
    target = rnd.choice(SQL_MODES)
    zone = time_zone if time_zone is not None else rnd.choice(TIME_ZONES)
    made = [generate_table(rnd, f"t{n}", max_rows, "NO_AUTO_VALUE_ON_ZERO" in source) for n in range(tables)]
    if source == "":  # the default mode is strict: an ENUM's '' error value would be refused
        for t in made:
            if t.non_strict_only:
                t.inserts = [s.replace("INSERT INTO", "INSERT IGNORE INTO", 1) for s in t.inserts]
    return GeneratedDatabase(seed, source, target, zone, made)


# -- raw values for the encoder differential ----------------------------------------------

def random_raw_value(rnd: random.Random, kind: int) -> bytes | None:
    """A value as the server sends it (text protocol bytes) for an encoder kind."""
    if rnd.random() < 0.08:
        return None
    if kind == KIND_NUMBER:
        pick = rnd.randint(0, 5)
        if pick == 0:
            return rnd.choice(FLOAT_EDGES + DOUBLE_EDGES + ["-0", "18446744073709551615", "-9223372036854775808",
                                                             "0.000000000000000000000000000001", "1e+308"]).encode()
        if pick == 1:
            return str(rnd.randint(-2**64, 2**64)).encode()
        if pick == 2:
            return repr(rnd.uniform(-1, 1) * 10 ** rnd.randint(-320, 308)).encode()
        if pick == 3:
            digits = rnd.randint(1, 65)
            scale = rnd.randint(0, min(30, digits))
            return str(Decimal(rnd.randint(-10**digits + 1, 10**digits - 1)).scaleb(-scale)).encode()
        if pick == 4:
            return str(rnd.getrandbits(64)).encode()
        return repr(float(f"{rnd.uniform(-1, 1) * 10 ** rnd.randint(-38, 38):.7g}")).encode()
    if kind == KIND_STRING:
        charset = rnd.choice(CHARSETS)
        text = random_text(rnd, charset, rnd.choice([1, 8, 40, 300]))
        return text if isinstance(text, bytes) else text.encode("utf-8")
    return random_text(rnd, "binary", rnd.choice([1, 8, 64, 600]))  # type: ignore[return-value]


def random_raw_rows(rnd: random.Random, max_rows: int = 40) -> tuple[bytes, list[tuple]]:
    """Column kinds and rows of raw values for encode_rows / load_text."""
    kinds = bytes(rnd.choice([KIND_NUMBER, KIND_STRING, KIND_HEX]) for _ in range(rnd.randint(1, 8)))
    rows = [tuple(random_raw_value(rnd, k) for k in kinds) for _ in range(rnd.randint(1, max_rows))]
    return kinds, rows
