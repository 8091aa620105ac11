"""Can a target column hold every value of a dumped column, exactly?

The restore's pre-flight asks this of every dumped column whose table already exists in
the target: a narrower target (``DECIMAL(20,6)`` become ``DECIMAL(24,2)``, ``DATETIME(6)``
become ``DATETIME``) rounds or truncates values without an error, so it must be refused
before the first write.

Contract (pure functions, no server):

- ``fits(dumped, target) -> None | reason``: ``None`` when every value the dumped type can
  hold is stored by the target type unchanged; else a short reason, e.g.
  ``"would round values (6 -> 2 decimal places)"``. It judges the type, not the data: a
  ``VARCHAR(20)`` refused for a ``VARCHAR(10)`` target may hold only short values, but the
  dump does not say so. Types of different kinds (``INT`` -> ``VARCHAR``, ``DATE`` ->
  ``DATETIME``) are refused: converting across a migration is a deliberate step, not a
  restore. A type this module does not know fits only an identical one.
- ``fits(dumped, target, unique=True)``: the target column is in a PRIMARY or UNIQUE key;
  another collation there is refused too when it may take two dumped values as equal (the
  upserts would merge their rows), unless it is the same rules in a wider charset or binary.
- ``notes(dumped, target) -> list[str]``: what a fitting target changes without changing
  values (another collation outside a key; NOT NULL where the dump may hold NULLs), said as
  warnings.
- ``as_dumped(expr, dumped_type, live_type) -> str``: SQL reading a fitting live column's
  value as the dump wrote it, so fingerprints of live rows match the dump's.

Types are read from ``information_schema.COLUMNS.COLUMN_TYPE`` (``int(10) unsigned``,
``enum('a','b')``, ``datetime(6)``) with the column's character set and collation.
"""
from __future__ import annotations

import re
from fractions import Fraction

from ..records import record


@record(frozen=True)
class ColumnType:
    """A column's type as the server reports it. ``charset``/``collation``: None for
    non-text types, or when not known (a manifest written before they were recorded);
    ``nullable``: None when not known."""

    type: str  # COLUMN_TYPE, e.g. "decimal(20,6) unsigned"
    charset: str | None = None
    collation: str | None = None
    nullable: bool | None = None
    # a text column the dump wrote as its stored bytes (a charset with bytes utf8mb4 cannot
    # hold: dumpcore.schema.schema.RAW_CHARSETS): they mean those characters in that charset only
    raw: bool = False


# ---------------------------------------------------------------------------
# Character sets (MariaDB 10.11's, plus MySQL 8's gb18030): bytes per character

_MAXLEN = {
    "big5": 2, "dec8": 1, "cp850": 1, "hp8": 1, "koi8r": 1, "latin1": 1, "latin2": 1, "swe7": 1, "ascii": 1,
    "ujis": 3, "sjis": 2, "hebrew": 1, "tis620": 1, "euckr": 2, "koi8u": 1, "gb2312": 2, "greek": 1,
    "cp1250": 1, "gbk": 2, "latin5": 1, "armscii8": 1, "utf8mb3": 3, "ucs2": 2, "cp866": 1, "keybcs2": 1,
    "macce": 1, "macroman": 1, "cp852": 1, "latin7": 1, "utf8mb4": 4, "cp1251": 1, "utf16": 4, "utf16le": 4,
    "cp1256": 1, "cp1257": 1, "utf32": 4, "binary": 1, "geostd8": 1, "cp932": 2, "eucjpms": 3, "gb18030": 4,
}
_MINLEN = {"ucs2": 2, "utf16": 2, "utf16le": 2, "utf32": 4}
_ALL_UNICODE = {"utf8mb4", "utf16", "utf16le", "utf32", "gb18030"}  # every character
_BMP_UNICODE = {"utf8mb3", "ucs2"}  # the Basic Multilingual Plane, which holds every legacy charset's characters


def _charset(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.lower()
    return "utf8mb3" if name == "utf8" else name  # MySQL < 8.0.30 and MariaDB < 10.6 say utf8


def _holds_characters(dumped: str, target: str) -> bool:
    """Every character of charset ``dumped`` exists in charset ``target``."""
    if dumped == target:
        return True
    if dumped not in _MAXLEN or target not in _MAXLEN or "binary" in (dumped, target):
        return False
    if target in _ALL_UNICODE:
        return True
    if target in _BMP_UNICODE:
        return dumped not in _ALL_UNICODE
    # ASCII is the lower half of every other charset here but swe7 (which replaces some of it)
    return dumped == "ascii" and target != "swe7"


def _same_bytes(dumped: str, target: str) -> bool:
    """Each character of ``dumped`` is the same bytes in ``target`` (byte lengths carry over)."""
    if dumped == target or (dumped == "utf8mb3" and target == "utf8mb4"):
        return True
    return dumped == "ascii" and _MAXLEN.get(target) is not None and _MINLEN.get(target, 1) == 1 \
        and target != "swe7"


def _bytes_per_char(dumped: str, target: str) -> int:
    """At most how many bytes one character of ``dumped`` takes in ``target``."""
    if _same_bytes(dumped, target):
        return _MAXLEN.get(dumped, 4)
    if target == "utf8mb4" and dumped not in _ALL_UNICODE:
        return 3  # a BMP character
    if target in ("utf16", "utf16le") and dumped not in _ALL_UNICODE:
        return 2
    return _MAXLEN.get(target, 4)


# ---------------------------------------------------------------------------
# Parsing COLUMN_TYPE

_INT_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8}
_LOB_BYTES = {"tiny": 255, "": 65535, "medium": 16777215, "long": 4294967295}
_TEXTS = {f"{p}text": n for p, n in _LOB_BYTES.items()}
_BLOBS = {f"{p}blob": n for p, n in _LOB_BYTES.items()}
_TEMPORAL = {"time", "datetime", "timestamp"}
_SPATIAL = {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
            "geometrycollection", "geomcollection"}
# a name of one or two words and up to two numbers: one way to match each text, so a crafted
# manifest's type costs linear time (no backtracking)
_TYPE_RE = re.compile(r"([a-z][a-z0-9_]*(?: [a-z][a-z0-9_]*)?)(?:\( ?(\d{1,10}) ?(?:, ?(\d{1,10}) ?)?\))?")
_FLAGS = ("unsigned", "signed", "zerofill")
_MAX_DECIMAL_DIGITS = 100  # MariaDB's DECIMAL stops at 65; a larger number is not a real type


@record(frozen=True)
class _Parsed:
    base: str  # lower-case type name
    args: tuple = ()  # numbers, or ENUM/SET members
    unsigned: bool = False


def _members(text: str) -> tuple[str, ...] | None:
    """ENUM/SET members from ``'a','it''s'`` (quotes doubled, as COLUMN_TYPE writes them)."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "'":
            return None
        j, buf = i + 1, []
        while True:
            if j >= len(text):
                return None
            if text[j] == "'" and text[j + 1:j + 2] == "'":
                buf.append("'")
                j += 2
            elif text[j] == "'":
                break
            elif text[j] == "\\" and j + 1 < len(text):  # a backslash escape, if a server writes one
                buf.append(text[j + 1])
                j += 2
            else:
                buf.append(text[j])
                j += 1
        out.append("".join(buf))
        i = j + 1
        if i < len(text):
            if text[i] != ",":
                return None
            i += 1
    return tuple(out)


def enum_members(column_type: str) -> tuple[str, ...]:
    """The members an ENUM or SET type lists (COLUMN_TYPE's text); () for any other type."""
    parsed = _parse(column_type)
    return parsed.args if parsed is not None and parsed.base in ("enum", "set") else ()


def _parse(column_type: str) -> _Parsed | None:
    text = column_type.strip()
    low = text.lower()
    for kind in ("enum", "set"):
        if low.startswith(kind + "(") and text.endswith(")"):
            members = _members(text[len(kind) + 1:-1])
            return _Parsed(kind, members) if members is not None else None
    words = low.replace("(", " (").replace(")", ") ").split()
    flags = []
    while words and words[-1] in _FLAGS:
        flags.append(words.pop())
    m = _TYPE_RE.fullmatch(" ".join(words).replace(" (", "("))
    if not m:
        return None
    base = m.group(1)
    args = tuple(int(a) for a in m.group(2, 3) if a is not None)
    if base in ("decimal", "numeric", "dec", "fixed") and args and args[0] > _MAX_DECIMAL_DIGITS:
        return None
    base = {"integer": "int", "numeric": "decimal", "dec": "decimal", "fixed": "decimal", "real": "double",
            "double precision": "double", "geomcollection": "geometrycollection", "bool": "tinyint",
            "boolean": "tinyint"}.get(base, base)
    return _Parsed(base, args, "unsigned" in flags or "zerofill" in flags)


# ---------------------------------------------------------------------------
# Kinds of value


def _exact_range(p: _Parsed) -> tuple[Fraction, Fraction, int] | None:
    """(lowest, highest, decimal places) of an integer or DECIMAL type."""
    if p.base in _INT_BYTES:
        bits = 8 * _INT_BYTES[p.base]
        if p.unsigned:
            return Fraction(0), Fraction(2**bits - 1), 0
        return Fraction(-(2 ** (bits - 1))), Fraction(2 ** (bits - 1) - 1), 0
    if p.base == "decimal":
        precision = p.args[0] if p.args else 10
        scale = p.args[1] if len(p.args) > 1 else 0
        top = Fraction(10**precision - 1, 10**scale)
        return (Fraction(0) if p.unsigned else -top), top, scale
    return None


def _string_limit(p: _Parsed) -> tuple[str, int] | None:
    """('chars', n) for CHAR/VARCHAR, ('bytes', n) for the TEXT types."""
    if p.base in ("char", "varchar"):
        return "chars", p.args[0] if p.args else 1
    if p.base in _TEXTS:
        return "bytes", _TEXTS[p.base]
    return None


def _binary_limit(p: _Parsed) -> int | None:
    if p.base in ("binary", "varbinary"):
        return p.args[0] if p.args else 1
    return _BLOBS.get(p.base)


def _fsp(p: _Parsed) -> int:
    return p.args[0] if p.args else 0


def _number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else str(float(x))


# ---------------------------------------------------------------------------
# The rules


def fits(dumped: ColumnType, target: ColumnType, unique: bool = False) -> str | None:
    """None when ``target`` stores every value ``dumped`` can hold unchanged; else why not.
    ``unique``: the target column is part of a PRIMARY or UNIQUE key, where a collation that
    takes more values as equal would merge rows the dump holds apart."""
    d, t = _parse(dumped.type), _parse(target.type)
    if d is None or t is None:
        same = " ".join(dumped.type.lower().split()) == " ".join(target.type.lower().split())
        return None if same else "is a type dumpcore cannot compare: refused rather than guessed"
    reason = _fits_type(d, t, dumped, target)
    if reason is None:
        reason = _fits_charset(d, dumped, target)
    if reason is None and unique and _may_merge(dumped, target):
        reason = (f"is in a unique key, and its collation may take values the dump's tells apart as equal (rows "
                  f"would merge): {_collation(dumped)} -> {_collation(target)}")
    return reason


def _collation(column_type: ColumnType) -> str:
    name = (column_type.collation or "").lower()
    return "utf8mb3_" + name[5:] if name.startswith("utf8_") else name  # as _charset names utf8


def _same_rules(dumped: ColumnType, target: ColumnType) -> bool:
    """The same collation, or the same rules in a wider charset (utf8mb3_general_ci -> utf8mb4_general_ci)."""
    d_col, t_col = _collation(dumped), _collation(target)
    d_cs, t_cs = _charset(dumped.charset), _charset(target.charset)
    return d_col == t_col or bool(d_cs and t_cs and d_col.startswith(d_cs + "_") and t_col.startswith(t_cs + "_")
                                  and d_col[len(d_cs):] == t_col[len(t_cs):])


def _may_merge(dumped: ColumnType, target: ColumnType) -> bool:
    """Whether two values distinct under the dumped collation may be equal under the target's."""
    d_col, t_col = _collation(dumped), _collation(target)
    if not d_col or not t_col or _same_rules(dumped, target):
        return False
    # a binary collation tells every two strings apart, but for trailing spaces unless it is NO PAD
    return not (t_col.endswith("_nopad_bin") or (t_col.endswith("_bin") and "nopad" not in d_col))


def _fits_type(d: _Parsed, t: _Parsed, dumped: ColumnType, target: ColumnType) -> str | None:
    other_kind = "is another kind of type: values would be converted, not kept"
    if d.base == "json" and t.base == "longtext" and _charset(target.charset) in (None, "utf8mb4"):
        return None  # MySQL's JSON as its text, into MariaDB's JSON (a utf8mb4 LONGTEXT)
    dr, tr = _exact_range(d), _exact_range(t)
    if dr is not None or tr is not None:
        if dr is None or tr is None:
            return other_kind
        if tr[2] < dr[2]:
            return f"would round values ({dr[2]} -> {tr[2]} decimal places)"
        if tr[1] < dr[1]:
            return f"would not hold values above {_number(tr[1])}"
        if tr[0] > dr[0]:
            return "would not hold negative values" if tr[0] == 0 else f"would not hold values below {_number(tr[0])}"
        return None
    if d.base in ("float", "double") or t.base in ("float", "double"):
        if d.base not in ("float", "double") or t.base not in ("float", "double"):
            return other_kind
        if d.base == "double" and t.base == "float":
            return "would round values to single precision"
        if t.unsigned and not d.unsigned:
            return "would not hold negative values"
        if len(t.args) == 2:  # FLOAT(M,D) / DOUBLE(M,D) round to D places
            if len(d.args) != 2:
                return f"would round values to {t.args[1]} decimal places"
            if t.args[1] < d.args[1]:
                return f"would round values ({d.args[1]} -> {t.args[1]} decimal places)"
            if t.args[0] - t.args[1] < d.args[0] - d.args[1]:
                return f"would not hold values of {d.args[0] - d.args[1]} integer digits"
        return None
    if d.base in _TEMPORAL or t.base in _TEMPORAL:
        if d.base != t.base:
            return other_kind
        if _fsp(t) < _fsp(d):
            return f"would round fractional seconds ({_fsp(d)} -> {_fsp(t)} digits)"
        return None
    if d.base == "bit" or t.base == "bit":
        if d.base != t.base:
            return other_kind
        dw, tw = (d.args[0] if d.args else 1), (t.args[0] if t.args else 1)
        return f"would not hold values wider than {tw} bits" if tw < dw else None
    if d.base in ("enum", "set") or t.base in ("enum", "set"):
        if d.base != t.base:
            return other_kind
        lacking = [m for m in d.args if m not in t.args]
        if lacking:
            return "lacks the member(s) " + ", ".join("'" + m.replace("'", "''") + "'" for m in lacking)
        order = [t.args.index(m) for m in d.args]
        if d.base == "set" and order != sorted(order):
            return "lists the members in another order (a value's text follows it: 'x,y' would read 'y,x')"
        return None
    ds, ts = _string_limit(d), _string_limit(t)
    if ds is not None or ts is not None:
        if ds is None or ts is None:
            return other_kind
        if t.base == "char" and d.base != "char":
            return "is CHAR, which drops trailing spaces"
        return _fits_length(ds, ts, dumped, target)
    db, tb = _binary_limit(d), _binary_limit(t)
    if db is not None or tb is not None:
        if db is None or tb is None:
            return other_kind
        if t.base == "binary" and (d.base != "binary" or tb != db):
            return "is BINARY, which pads shorter values with zero bytes"
        return f"would truncate values longer than {tb} bytes" if tb < db else None
    if d.base in _SPATIAL or t.base in _SPATIAL:
        if d.base not in _SPATIAL or t.base not in _SPATIAL:
            return other_kind
        # GEOMETRY holds any shape; any other spatial type holds its own shape only
        return None if t.base in (d.base, "geometry") else f"cannot hold every {d.base.upper()} value"
    if d.base == "year" or t.base == "year":
        return None if d.base == t.base else other_kind
    # the rest (DATE, JSON, INET4, INET6, UUID, ...) fits its own type only
    return None if (d.base, d.args) == (t.base, t.args) else other_kind


def _fits_length(ds: tuple[str, int], ts: tuple[str, int], dumped: ColumnType, target: ColumnType) -> str | None:
    d_cs = _charset(dumped.charset) or _charset(target.charset) or "utf8mb4"  # not known: as the target's
    t_cs = _charset(target.charset) or d_cs
    (d_unit, d_n), (t_unit, t_n) = ds, ts
    if t_unit == "chars":
        chars = d_n if d_unit == "chars" else d_n // _MINLEN.get(d_cs, 1)
        return f"would truncate values longer than {t_n} characters" if chars > t_n else None
    if d_unit == "bytes" and _same_bytes(d_cs, t_cs):
        need = d_n
    else:
        chars = d_n if d_unit == "chars" else d_n // _MINLEN.get(d_cs, 1)
        need = chars * _bytes_per_char(d_cs, t_cs)
    return f"would truncate values longer than {t_n} bytes in {t_cs}" if need > t_n else None


def _fits_charset(d: _Parsed, dumped: ColumnType, target: ColumnType) -> str | None:
    d_cs, t_cs = _charset(dumped.charset), _charset(target.charset)
    if d_cs is None or t_cs is None or d.base in _BLOBS or d.base in ("binary", "varbinary"):
        return None  # not text, or the dump does not say (notes() says so per dump)
    if dumped.raw and d_cs != t_cs:
        # a hex literal is stored as it is: its bytes would be read as t_cs characters
        return (f"is {t_cs}: the dump holds this column as its {d_cs} bytes, which a {t_cs} column would "
                f"take as other characters (restore into a {d_cs} column)")
    if not _holds_characters(d_cs, t_cs):
        return f"would lose the characters {t_cs} cannot hold ({d_cs} -> {t_cs})"
    return None


def notes(dumped: ColumnType, target: ColumnType) -> list[str]:
    """What a fitting ``target`` changes without changing the values (for warnings)."""
    out = []
    d_col, t_col = _collation(dumped), _collation(target)
    if d_col and t_col and not _same_rules(dumped, target):
        out.append(f"collation {d_col} -> {t_col} (sorting and comparisons follow the target's)")
    if dumped.nullable and target.nullable is False:
        out.append("NOT NULL in the target but nullable in the dump (a NULL in the dump would be rejected)")
    return out


def as_dumped(expr: str, dumped_type: str, live_type: str) -> str:
    """An SQL expression for the value of ``expr`` (a live column of type ``live_type``) as
    the dumped type writes it, so a fingerprint of a wider live column (``DECIMAL(24,8)``
    holding a ``DECIMAL(20,6)``'s values: ``1.50000000``) equals the dump's (``1.500000``).
    ``expr`` as it is where the two write values alike; meant for types where ``fits``."""
    d, t = _parse(dumped_type), _parse(live_type)
    if d is None or t is None or (d.base, d.args) == (t.base, t.args):
        return expr
    if d.base == "decimal":
        precision = d.args[0] if d.args else 10
        scale = d.args[1] if len(d.args) > 1 else 0
        return f"CAST({expr} AS DECIMAL({precision},{scale}))"
    if d.base in _INT_BYTES and t.base == "decimal":
        return f"CAST({expr} AS {'UNSIGNED' if d.unsigned else 'SIGNED'})"
    if d.base in _TEMPORAL and d.base == t.base and _fsp(d) != _fsp(t):
        # a TIMESTAMP as DATETIME: the same text, in the session's time zone
        return f"CAST({expr} AS {'TIME' if d.base == 'time' else 'DATETIME'}({_fsp(d)}))"
    if d.base == "bit" and t.base == "bit":
        width = (d.args[0] if d.args else 1) + 7 >> 3  # the dump's bytes: the value in the dumped width
        return f"UNHEX(LPAD(HEX({expr}), {2 * width}, '0'))"
    return expr


def column_type_of(entry: dict) -> ColumnType:
    """The ColumnType of a manifest column entry (``type``, and ``charset``, ``collation``,
    ``nullable`` when the dump recorded them)."""
    cs = _charset(entry.get("charset"))
    raw = entry.get("kind") == 2 and cs not in (None, "binary")  # KIND_HEX in a text charset
    return ColumnType(entry["type"], entry.get("charset"), entry.get("collation"), entry.get("nullable"), raw)


def describe(column_type: ColumnType) -> str:
    """The type for a message: ``DECIMAL(20,6)``, ``ENUM('a','b')`` (members as they are)."""
    parts = re.split(r"('(?:[^']|'')*')", column_type.type.strip())
    return "".join(part if part.startswith("'") else part.upper() for part in parts)
