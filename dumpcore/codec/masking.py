"""``dump --mask``: deterministic, keyed masking of chosen columns as the rows are dumped.

Every rule is a keyed pseudo-random function of the value alone (BLAKE2b in its keyed
mode, a MAC like HMAC): the same value masks to the same output
in every table, every run and every day under the same secret, and to another output
under another secret. Masking a column masks every foreign key column that references
it (transitively) with the same rule, so joins across it still match.

Rules keep the column's type and length: ``hash`` writes as many characters (digits for
a number, bytes for a binary column) as the value had; ``email`` and ``keep-domain`` keep
the shape ``local@domain`` (``keep-domain`` keeps the domain); ``name`` writes names that
fit the column; ``phone`` replaces the digits and keeps the punctuation; ``redact``
replaces every letter and digit with ``x``; ``shift-date:N`` moves a date by up to N days
either way, the same shift for every date of a row (keyed by its primary key);
``uuid`` writes a UUID (text, or 16 bytes in a BINARY(16)); ``null`` and
``constant:VALUE`` need no secret. A unique key holding a masked column is checked over
every row (codec/mask_unique.py, in bounded memory): two rows whose masked keys collide stop
the dump with an error before anything is published (never a merged row).

This module is the specification: each rule is a Python function of the column's spec
(value_fn, shift_fn). The dump applies them in the compiled row path (codec.RowMasker, in
_masking.pxi: in C, in the encoder's fetch loop, keyed BLAKE2b from libsodium, the same
function as hashlib's), which hands to these functions only the values it does not do
itself: text that is not valid UTF-8, a JSON document under ``redact``, a number of 20
digits or more under ``hash``, a date shifted by more than 10**9 days.
tests/test_mask_codec.py runs the same generated cases through both.

The secret comes from ``--mask-key-file`` or ``DUMPCORE_MASK_KEY``; it is held in a
MaskKey, whose repr hides it, and written nowhere (the manifest records which column is
masked by which rule, and a key id: a keyed hash of a constant, which tells two dumps with
the same secret apart from others and reveals nothing of it).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import RowMasker, mask_unique
from .reference import MASK64
from ..errors import DumpcoreError, UnknownTableError, UsageError
from ..records import record
from ..schema.schema import KIND_HEX, KIND_NUMBER, Column, Schema, Table

RULES = ("hash", "email", "keep-domain", "name", "phone", "null", "constant", "redact", "shift-date", "uuid")
KEYLESS_RULES = ("null", "constant", "redact")
KEY_ENV = "DUMPCORE_MASK_KEY"
MIN_KEY_BYTES = 16
_ALNUM = b"abcdefghijklmnopqrstuvwxyz0123456789"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_DIGITS = b"0123456789"
_FIRST = ("Alex", "Sam", "Robin", "Kim", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Riley", "Avery", "Quinn",
          "Charlie", "Dana", "Elliot", "Frankie", "Harper", "Jesse", "Kai", "Lee", "Max", "Noa", "Parker", "Reese")
_LAST = ("Smith", "Jones", "Brown", "Garcia", "Miller", "Davis", "Martin", "Lopez", "Wilson", "Moore", "Clark",
         "Lewis", "Walker", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill")
_DATE_RE = re.compile(rb"^(\d{4})-(\d{2})-(\d{2})(.*)$", re.S)
_LENGTH_RE = re.compile(r"\((\d+)\)")
_TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}


class MaskKey:
    """The masking secret (derived to a 64-byte BLAKE2b key); never shown."""

    def __init__(self, secret: bytes):
        if len(secret) < MIN_KEY_BYTES:
            raise UsageError(f"the masking secret is shorter than {MIN_KEY_BYTES} bytes",
                             hint="use a long random secret, e.g. `openssl rand -hex 32 > mask.key`")
        self._key = hashlib.blake2b(secret, digest_size=64, person=b"dumpcore-mask").digest()
        self._states: dict[tuple[bytes, int], "hashlib._Hash"] = {}  # keyed and tagged, copied per value

    def __repr__(self) -> str:
        return "MaskKey(<secret>)"

    def digest(self, tag: bytes, value: bytes, size: int = 32) -> bytes:
        state = self._states.get((tag, size))
        if state is None:  # keying BLAKE2b is a block of work: done once per tag, then copied
            state = hashlib.blake2b(digest_size=size, key=self._key)
            state.update(tag + b"\0")
            self._states[(tag, size)] = state
        h = state.copy()
        h.update(value)
        return h.digest()

    def stream(self, tag: bytes, value: bytes, n: int) -> bytes:
        """``n`` pseudo-random bytes for ``value``."""
        out, i = b"", 0
        while len(out) < n:
            out += self.digest(tag + i.to_bytes(4, "little"), value, 64)
            i += 1
        return out[:n]

    @property
    def key_id(self) -> str:
        return self.digest(b"key-id", b"dumpcore", 8).hex()


def load_key(key_file: str | os.PathLike | None, environ: dict | None = None) -> MaskKey | None:
    """The secret from ``key_file`` (its bytes, one trailing newline dropped), else from
    DUMPCORE_MASK_KEY; None when neither is given."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        try:
            data = Path(key_file).read_bytes()
        except OSError as exc:
            raise UsageError(f"--mask-key-file {key_file}: cannot read it ({exc.strerror})") from None
        return MaskKey(data[:-1] if data.endswith(b"\n") else data)
    if env.get(KEY_ENV):
        return MaskKey(env[KEY_ENV].encode())
    return None


@record(frozen=True)
class MaskRule:
    name: str
    arg: str | None = None

    def describe(self) -> str:
        return self.name + (f":{self.arg}" if self.arg is not None else "")


def parse_rule(text: str) -> MaskRule:
    name, sep, arg = text.strip().partition(":")
    name = name.strip().lower()
    if name not in RULES:
        raise UsageError(f"unknown masking rule {text!r}", hint="rules: " + ", ".join(RULES))
    if name == "constant" and not sep:
        raise UsageError("the constant rule needs its value: constant:VALUE")
    if name == "shift-date":
        if not re.fullmatch(r"[+-]?\d+", arg.strip()):
            raise UsageError(f"shift-date takes a number of days (shift-date:30 or shift-date:±30), not {arg!r}")
        return MaskRule(name, str(abs(int(arg))))
    if name not in ("constant", "shift-date") and sep:
        raise UsageError(f"the {name} rule takes no value: {text!r}")
    return MaskRule(name, arg if name == "constant" else None)


def parse_masks(items: Iterable[str], files: Iterable[str | os.PathLike] = ()) -> dict[str, MaskRule]:
    """``TABLE.COLUMN=RULE`` items (--mask) and files of such lines ('#' starts a comment)."""
    lines = [(str(f), n, line) for f in files for n, line in enumerate(_read_lines(f), 1)]
    lines += [("--mask", 0, item) for item in items]
    out: dict[str, MaskRule] = {}
    for where, n, line in lines:
        text = line.split("#", 1)[0].strip() if where != "--mask" else line.strip()
        if not text:
            continue
        target, sep, rule = text.partition("=")
        place = f"{where}:{n}" if n else where
        if not sep or "." not in target:
            raise UsageError(f"{place}: {text!r} is not TABLE.COLUMN=RULE", hint="e.g. users.email=email")
        out[target.strip()] = parse_rule(rule)
    return out


def _read_lines(path: str | os.PathLike) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"--mask-file {path}: cannot read it ({exc.strerror})") from None


class MaskCollisionError(DumpcoreError):
    """Masked values of a unique key collide: the dump stops rather than merge rows."""


# -- the rules on one value --------------------------------------------------------

def _max_chars(col: Column) -> int | None:
    m = _LENGTH_RE.search(col.column_type or "")
    if m and col.data_type in ("char", "varchar", "binary", "varbinary"):
        return int(m.group(1))
    return None


def _pick(stream: bytes, alphabet: bytes) -> bytes:
    return bytes(alphabet[b % len(alphabet)] for b in stream)


# A column's rule as the row maskers take it (codec.RowMasker, compiled, and
# reference.RowMasker): (code, number, bytes), the column's type already read.
SPEC_NONE, SPEC_NULL, SPEC_CONSTANT, SPEC_REDACT, SPEC_HASH_NUMBER, SPEC_HASH_BYTES, SPEC_HASH_ASCII, \
    SPEC_HASH_TEXT, SPEC_EMAIL, SPEC_KEEP_DOMAIN, SPEC_NAME, SPEC_PHONE, SPEC_UUID_BIN, SPEC_UUID_TEXT, \
    SPEC_SHIFT_DATE = range(15)
Spec = tuple[int, int, bytes]


def column_spec(rule: MaskRule, col: Column) -> Spec:
    """The spec of ``rule`` on a column like ``col``: the number is the type's bound (hash
    of a number), the column's length (name: 0 for none) or the days (shift-date); the
    bytes the constant."""
    kind = col.kind
    if rule.name == "null":
        return (SPEC_NULL, 0, b"")
    if rule.name == "constant":
        return (SPEC_CONSTANT, 0, (rule.arg or "").encode())
    if rule.name == "redact":
        return (SPEC_REDACT, 0, b"")
    if rule.name == "hash":
        if kind == KIND_NUMBER:
            return (SPEC_HASH_NUMBER, _type_max(col), b"")
        if kind == KIND_HEX and col.data_type not in _TEXT_TYPES:
            return (SPEC_HASH_BYTES, 0, b"")
        if kind == KIND_HEX:  # text in a charset written as its bytes: ASCII, as many bytes
            return (SPEC_HASH_ASCII, 0, b"")
        return (SPEC_HASH_TEXT, 0, b"")
    if rule.name == "email":
        return (SPEC_EMAIL, 0, b"")
    if rule.name == "keep-domain":
        return (SPEC_KEEP_DOMAIN, 0, b"")
    if rule.name == "name":
        return (SPEC_NAME, _max_chars(col) or 0, b"")
    if rule.name == "phone":
        return (SPEC_PHONE, 0, b"")
    if rule.name == "uuid":
        return (SPEC_UUID_BIN if kind == KIND_HEX else SPEC_UUID_TEXT, 0, b"")
    if rule.name == "shift-date":
        return (SPEC_SHIFT_DATE, int(rule.arg or 0), b"")
    raise AssertionError(rule.name)


def value_fn(spec: Spec, key: MaskKey | None) -> Callable[[bytes], bytes | None]:
    """The function that masks one non-NULL raw value (as the text protocol reads it)
    under ``spec``: the specification the compiled RowMasker follows, and what it calls for
    the values it leaves to Python."""
    code, num, data = spec
    if code == SPEC_NULL:
        return lambda v: None
    if code == SPEC_CONSTANT:
        return lambda v: data
    if code == SPEC_REDACT:
        return _redact
    assert key is not None
    if code == SPEC_HASH_NUMBER:
        tag, top = b"hash", num

        def masked(v: bytes) -> bytes:
            sign, digits = (v[:1], v[1:]) if v[:1] == b"-" else (b"", v)
            if not digits.isdigit():  # DECIMAL, DOUBLE: each digit replaced, the point kept
                s = key.stream(tag, v, len(digits))
                return sign + bytes(_DIGITS[s[i] % 10] if c in _DIGITS else c for i, c in enumerate(digits))
            n = int(digits)
            if n == 0:
                return v  # 0 stays 0 (an AUTO_INCREMENT column reads 0 as "the next id")
            significant = digits.lstrip(b"0")  # a ZEROFILL column's zeros are kept, the rest masked
            lo = 10 ** (len(significant) - 1)
            hi = min(10 ** len(significant) - 1, top + (1 if sign else 0))
            if n > hi:
                return v
            zeros = b"0" * (len(digits) - len(significant))
            return sign + zeros + str(lo + _permute(key, tag + sign, n - lo, hi - lo + 1)).encode()
        return masked
    if code == SPEC_HASH_BYTES:
        return lambda v: key.stream(b"hash", v, len(v))
    if code == SPEC_HASH_ASCII:
        return lambda v: _pick(key.stream(b"hash", v, len(v)), _ALNUM)
    if code == SPEC_HASH_TEXT:
        return lambda v: _pick(key.stream(b"hash", v, _chars(v)), _ALNUM)
    if code in (SPEC_EMAIL, SPEC_KEEP_DOMAIN):
        def email(v: bytes) -> bytes:
            local, at, domain = v.rpartition(b"@")
            if not at:
                return _pick(key.stream(b"email", v, _chars(v)), _ALNUM)
            new_local = _pick(key.stream(b"email-local", v, _chars(local)), _ALNUM)
            if code == SPEC_KEEP_DOMAIN:
                return new_local + b"@" + domain
            labels = domain.split(b".")
            masked = [_pick(key.stream(b"email-domain" + bytes([i & 0xFF]), domain, _chars(label)), _LOWER)
                      for i, label in enumerate(labels[:-1])]
            return new_local + b"@" + b".".join(masked + labels[-1:])
        return email
    if code == SPEC_NAME:
        limit = num

        def name(v: bytes) -> bytes:
            words = v.split() or [v]
            d = key.digest(b"name", v, 16)
            out = [(_FIRST if i == 0 and len(words) > 1 else _LAST)[d[i % 16] % (len(_FIRST) if i == 0 and len(words) > 1
                                                                                else len(_LAST))]
                   for i in range(len(words))]
            text = " ".join(out).encode()
            return text[:limit] if limit else text
        return name
    if code == SPEC_PHONE:
        return lambda v: bytes(_DIGITS[s % 10] if c in _DIGITS else c
                               for c, s in zip(v, key.stream(b"phone", v, len(v))))
    if code == SPEC_UUID_BIN:
        return lambda v: _uuid_bytes(key.digest(b"uuid", v, 16))
    if code == SPEC_UUID_TEXT:
        return lambda v: _uuid_text(_uuid_bytes(key.digest(b"uuid", v, 16)))
    raise AssertionError(code)  # shift-date is a row rule: shift_fn


def shift_fn(position: int, days: int, key: MaskKey | None, key_positions: Sequence[int]) -> Callable[[tuple], bytes | None]:
    """shift-date on the value at ``position`` of a row: every date of a row moves by the
    same keyed number of days in [-days, days], keyed by the row's primary key (else by the
    value)."""
    def shifted(row: tuple) -> bytes | None:
        v = row[position]
        if v is None or not days:
            return v
        rid = b"\0".join(row[p] or b"" for p in key_positions) if key_positions else v
        d = key.digest(b"shift-date", rid, 8)  # type: ignore[union-attr]
        return _shift(v, int.from_bytes(d, "little") % (2 * days + 1) - days)
    return shifted


def _type_max(col: Column) -> int:
    """The largest value an integer column holds (a bound for a masked number)."""
    bits = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}.get(col.data_type)
    if bits is None:
        return 10 ** 65
    return 2 ** bits - 1 if "unsigned" in (col.column_type or "") else 2 ** (bits - 1) - 1


_ROUND_TAGS: dict[bytes, list[bytes]] = {}


def _permute(key: MaskKey, tag: bytes, x: int, n: int) -> int:
    """A keyed permutation of range(n) (a Feistel network over the next even power of two,
    walked until it lands inside): two numbers never mask to the same one, so a masked
    integer key stays unique."""
    if n <= 1:
        return x
    half = max(1, ((n - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    tags = _ROUND_TAGS.get(tag)
    if tags is None:
        tags = _ROUND_TAGS[tag] = [tag + bytes([r]) for r in range(4)]
    digest = key.digest
    width = max(8, (half + 7) // 8)  # 8 bytes up to 64-bit halves (the compiled rule's), more past them
    while True:
        left, right = x >> half, x & mask
        for t in tags:
            f = int.from_bytes(digest(t, right.to_bytes(width, "little"), width), "little") & mask
            left, right = right, left ^ f
        x = (left << half) | right
        if x < n:
            return x


def _redact_text(v: bytes) -> bytes:
    return bytes(120 if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else b for b in v)


def _redact(v: bytes) -> bytes:
    """Every letter and digit -> 'x'; a JSON document stays JSON (its strings redacted,
    its numbers 0, its keys and shape kept), so a JSON column's CHECK still holds."""
    head = v.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            doc = json.loads(v)
        except ValueError:
            return _redact_text(v)
        return json.dumps(_redact_json(doc), ensure_ascii=False).encode()
    return _redact_text(v)


def _redact_json(doc):
    if isinstance(doc, dict):
        return {k: _redact_json(x) for k, x in doc.items()}
    if isinstance(doc, list):
        return [_redact_json(x) for x in doc]
    if isinstance(doc, str):
        # a lone surrogate (JSON's "\ud800") as its bytes, then U+FFFD: no error, valid UTF-8 out
        return _redact_text(doc.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    if isinstance(doc, bool) or doc is None:
        return doc
    return 0


def _chars(v: bytes) -> int:
    """Characters of a UTF-8 value (what a CHAR/VARCHAR length counts)."""
    return len(v.decode("utf-8", "replace"))


def _uuid_bytes(d: bytes) -> bytes:
    b = bytearray(d)
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    return bytes(b)


def _uuid_text(b: bytes) -> bytes:
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}".encode()


def _shift(v: bytes, days: int) -> bytes:
    m = _DATE_RE.match(v)
    if not m or v.startswith(b"0000"):
        return v  # zero dates and anything not a date are left as they are
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + timedelta(days=days)
    except (ValueError, OverflowError):
        return v
    return d.isoformat().encode() + m.group(4)


# -- a table's masking ---------------------------------------------------------------

@record
class ColumnMask:
    table: str
    column: str
    rule: MaskRule
    via: str | None = None  # the referenced column it follows (a foreign key), else None: asked
    source: Column | None = None  # the column whose type shapes the masked value (a follower: the referenced one's)


@record
class MaskSpec:
    """What a row masker (codec.RowMasker) needs for one table: a spec per column (SPEC_NONE
    for a column left as it is), the secret, the primary key's positions (shift-date's row
    key), the masked unique keys (positions) and the Python rule of each masked column."""
    specs: list
    key: MaskKey | None
    key_positions: tuple
    unique_keys: list
    fallbacks: list
    first_names: tuple = tuple(n.encode() for n in _FIRST)
    last_names: tuple = tuple(n.encode() for n in _LAST)

    def key_bytes(self) -> bytes | None:
        return self.key._key if self.key is not None else None  # noqa: SLF001 - handed to C, written nowhere


class TableMasker:
    """Masks the rows of one table as they stream: the rules at their positions, the
    unique keys checked for collisions, and the fingerprint of the columns left as they
    are (``verify --against`` compares those). The masking itself is the row masker's
    (compiled: in the encoder's fetch loop, or over tuples); this object sums what each of
    the table's readers took, from any thread."""

    def __init__(self, table: Table, columns: Sequence[Column], masks: dict[str, ColumnMask], key: MaskKey | None,
                 key_positions: Sequence[int], budget: "mask_unique.DigestBudget | None" = None):
        self.table = table.name
        names = [c.name for c in columns]
        self._names = names
        specs: list = []
        fallbacks: list = []
        for i, col in enumerate(columns):
            m = masks.get(col.name)
            if m is None:
                specs.append((SPEC_NONE, 0, b""))
                fallbacks.append(None)
                continue
            spec = column_spec(m.rule, m.source or col)
            specs.append(spec)
            fallbacks.append(shift_fn(i, spec[1], key, tuple(key_positions)) if spec[0] == SPEC_SHIFT_DATE
                             else value_fn(spec, key))
        masked = {i for i, spec in enumerate(specs) if spec[0] != SPEC_NONE}
        self.unmasked = [i for i in range(len(columns)) if i not in masked]
        self.unique_keys = [tuple(names.index(c) for c in k) for k in ([table.primary_key] if table.primary_key else [])
                            + table.unique_keys
                            if k and all(c in names for c in k) and any(names.index(c) in masked for c in k)]
        self.spec = MaskSpec(specs, key, tuple(key_positions), self.unique_keys, fallbacks)
        self._budget = budget if budget is not None else mask_unique.DigestBudget()
        self._seen = [mask_unique.DigestSet(self._budget) for _ in self.unique_keys]
        self._lock = threading.Lock()
        self.rows = 0
        self.fingerprint = 0  # of the unmasked columns, every row

    def row_masker(self):
        """A row masker for one reader of the table (compiled when built); hand what it
        took to add()."""
        return RowMasker(self.spec)

    def batches(self, batches: Iterable[Sequence[tuple]]) -> Iterator[list[tuple]]:
        """The masked batches (values after the table's columns, the enum_zero flags,
        pass as they are)."""
        masker = self.row_masker()
        for batch in batches:
            masked = masker.mask_rows(batch)
            self.add(masker.take())
            yield masked

    def add(self, taken: tuple) -> None:
        """What a row masker took (RowMasker.take()): rows, the unmasked columns'
        fingerprint, the masked unique keys' digests (checked for a collision)."""
        rows, fingerprint, digests = taken
        with self._lock:
            self.rows += rows
            self.fingerprint = (self.fingerprint + fingerprint) & MASK64
        for k, d in enumerate(digests):
            if d:
                self._seen[k].add(d)
            if self._seen[k].duplicate:
                self._collision(k)

    def finish(self) -> None:
        """Once every row is read: the unique keys checked over all of them (the digests
        spilled to disk merged), then their memory and files freed."""
        try:
            for k, seen in enumerate(self._seen):
                if seen.has_duplicate():
                    self._collision(k)
        finally:
            self.close()

    def close(self) -> None:
        for seen in self._seen:
            seen.close()

    def _collision(self, k: int) -> None:
        cols = ", ".join(f"`{self.table}`.`{self._names[p]}`" for p in self.unique_keys[k])
        self.close()
        raise MaskCollisionError(
            f"masking makes two rows of `{self.table}` equal in a unique key ({cols}): the dump "
            "stops rather than merge them",
            hint="mask that column with a rule that keeps more of the value (hash, uuid), or leave "
                 "it unmasked")

    def manifest_entry(self, masks: dict[str, ColumnMask]) -> dict:
        return {"columns": {c: m.rule.describe() for c, m in masks.items()},
                "unmasked_rows": self.rows, "unmasked_fingerprint": f"{self.fingerprint:016x}"}


class MaskPlan:
    """The columns a dump masks (asked, and the FK columns that follow them) and the secret."""

    def __init__(self, schema: Schema, rules: dict[str, MaskRule], key: MaskKey | None,
                 prisma_fields: dict[str, str] | None = None):
        self.schema = schema
        self.key = key
        self.budget = mask_unique.DigestBudget()  # the unique checks' memory, all tables together
        self.masks: dict[str, dict[str, ColumnMask]] = {}
        for target, rule in rules.items():
            target = (prisma_fields or {}).get(target, target)
            table, _, column = target.partition(".")
            t = schema.tables.get(table)
            if t is None:
                raise UnknownTableError(f"--mask {target}: table `{table}` not found in database `{schema.database}`",
                                        hint="names are case-sensitive; `dumpcore plan` lists them")
            col = next((c for c in t.columns if c.name == column), None)
            if col is None:
                raise UsageError(f"--mask {target}: table `{table}` has no column `{column}`")
            self._check(t, col, rule)
            self.masks.setdefault(table, {})[column] = ColumnMask(table, column, rule, source=col)
        if key is None and any(m.rule.name not in KEYLESS_RULES for ms in self.masks.values() for m in ms.values()):
            raise UsageError("masking needs a secret: --mask-key-file FILE or the environment variable "
                             f"{KEY_ENV}", hint="the same secret masks the same values the same way in every dump")
        self._follow_foreign_keys()

    def _check(self, table: Table, col: Column, rule: MaskRule) -> None:
        where = f"--mask {table.name}.{col.name}={rule.describe()}"
        if col.generated:
            raise UsageError(f"{where}: a generated column is computed by the target, not dumped")
        if rule.name == "null" and not col.nullable:
            raise UsageError(f"{where}: the column is NOT NULL", hint="use constant:VALUE or another rule")
        if rule.name == "constant" and col.kind == KIND_NUMBER and not re.fullmatch(r"-?\d+(\.\d+)?", rule.arg or ""):
            raise UsageError(f"{where}: the column is a number", hint="give a number: constant:0")
        limit = _max_chars(col)
        if rule.name == "uuid" and limit is not None and limit < (16 if col.kind == KIND_HEX else 36):
            raise UsageError(f"{where}: a UUID does not fit {col.column_type}")
        if rule.name == "constant" and limit is not None and len(rule.arg or "") > limit:
            raise UsageError(f"{where}: the value does not fit {col.column_type}")
        if rule.name == "shift-date" and col.data_type not in ("date", "datetime", "timestamp"):
            raise UsageError(f"{where}: shift-date is for DATE, DATETIME and TIMESTAMP columns, not {col.data_type}")

    def _follow_foreign_keys(self) -> None:
        """Every FK column referencing a masked column is masked the same way, transitively;
        a masked FK column whose referenced column is not masked is refused (joins would break)."""
        changed = True
        while changed:
            changed = False
            for t in self.schema.tables.values():
                for fk in t.foreign_keys:
                    for c, rc in zip(fk.columns, fk.ref_columns):
                        parent = self.masks.get(fk.ref_table, {}).get(rc)
                        mine = self.masks.get(t.name, {}).get(c)
                        if parent is not None and mine is None and any(col.name == c for col in t.columns):
                            self.masks.setdefault(t.name, {})[c] = ColumnMask(t.name, c, parent.rule,
                                                                             f"{fk.ref_table}.{rc}", parent.source)
                            changed = True
                        elif parent is not None and mine is not None and mine.rule != parent.rule:
                            raise UsageError(f"--mask {t.name}.{c}={mine.rule.describe()}: it references "
                                             f"`{fk.ref_table}`.`{rc}`, masked by {parent.rule.describe()}; a "
                                             "foreign key column takes the rule of the column it references")
                        elif parent is None and mine is not None and mine.via is None:
                            raise UsageError(f"--mask {t.name}.{c}: it references `{fk.ref_table}`.`{rc}`, which is "
                                             "not masked, so joins would break",
                                             hint=f"mask {fk.ref_table}.{rc} instead: its references follow it")

    def for_table(self, table: Table, columns: Sequence[Column], key_positions: Sequence[int]) -> TableMasker | None:
        masks = self.masks.get(table.name)
        if not masks:
            return None
        return TableMasker(table, columns, masks, self.key, key_positions, self.budget)

    def masks_key(self, table: Table) -> bool:
        """Whether a primary key column of ``table`` is masked (its chunks then record no key range)."""
        return any(c in self.masks.get(table.name, {}) for c in table.primary_key)

    def to_manifest(self) -> dict:
        return {"key_id": self.key.key_id if self.key is not None else None,
                "columns": [{"table": m.table, "column": m.column, "rule": m.rule.describe(),
                             **({"follows": m.via} if m.via else {})}
                            for ms in self.masks.values() for m in ms.values()]}


def prisma_field_names(schema_path: str) -> dict[str, str]:
    """``Model.field`` -> ``table.column`` for --mask with --prisma."""
    from ..schema import prisma  # noqa: PLC0415 - only with --prisma: a large module

    ps = prisma.load_prisma(schema_path)
    out = {}
    for model in ps.models.values():
        for f in getattr(model, "fields", []):
            column = getattr(f, "column", None) or getattr(f, "name", None)
            if column and getattr(f, "name", None):
                out[f"{model.name}.{f.name}"] = f"{model.table}.{column}"
    return out


__all__ = ["KEY_ENV", "MaskCollisionError", "MaskKey", "MaskPlan", "MaskRule", "MaskSpec", "RULES", "TableMasker",
           "column_spec", "load_key", "shift_fn", "value_fn",
           "parse_masks", "parse_rule", "prisma_field_names"]
