"""dump --mask in the compiled row path, against its specification: every case runs through the
compiled RowMasker (libsodium's keyed BLAKE2b, in C) and the pure-Python reference.RowMasker
(masking.py's rules, hashlib), which must agree byte for byte; the compiled encoder masking rows
in its fetch loop agrees with the reference masking tuples and encoding them. The unique check's
bounded memory (sorted runs on disk, merged) finds the same duplicates as a set would."""
from __future__ import annotations

import hashlib
import random

import pytest

from dumpcore import codec
from dumpcore.codec import _encoder, mask_unique, reference
from dumpcore.codec.masking import (MaskKey, MaskSpec, SPEC_CONSTANT, SPEC_EMAIL, SPEC_HASH_ASCII,
                                    SPEC_HASH_BYTES, SPEC_HASH_NUMBER, SPEC_HASH_TEXT, SPEC_KEEP_DOMAIN, SPEC_NAME,
                                    SPEC_NONE, SPEC_NULL, SPEC_PHONE, SPEC_REDACT, SPEC_SHIFT_DATE, SPEC_UUID_BIN,
                                    SPEC_UUID_TEXT, shift_fn, value_fn)
from dumpcore.connect.connection import quote_ident

assert codec.COMPILED, "the Cython encoder must be built for the tests (make test builds it)"
N, S, H = codec.KIND_NUMBER, codec.KIND_STRING, codec.KIND_HEX
SEEDS = range(6)


def test_libsodium_blake2b_is_hashlibs_over_random_inputs_keys_and_sizes():
    rng = random.Random(24)
    for _ in range(3000):
        data = rng.randbytes(rng.choice([0, 1, 7, 63, 64, 127, 128, 129, 255, 256, 1000, rng.randrange(5000)]))
        key = rng.randbytes(rng.choice([0, 1, 16, 32, 63, 64]))
        size = rng.randrange(1, 65)
        assert _encoder.keyed_blake2b(data, key, size) == hashlib.blake2b(data, key=key, digest_size=size).digest()


# -- generated values, by the kind of column a rule is given --------------------------

def _number(rng: random.Random) -> bytes:
    pick = rng.randrange(12)
    if pick == 0:
        return b"0"
    if pick == 1:
        return b"-0"
    if pick == 2:  # DECIMAL / DOUBLE text
        return f"{rng.uniform(-1e6, 1e6):.{rng.randrange(0, 6)}f}".encode()
    if pick == 3:
        return repr(rng.uniform(-1e300, 1e300)).encode()
    if pick == 4:  # ZEROFILL
        return str(rng.randrange(1000)).zfill(rng.randrange(4, 8)).encode()
    if pick == 5:  # 20 digits and more (unsigned BIGINT, DECIMAL(65))
        return str(rng.randrange(10 ** 19, 10 ** rng.randrange(20, 66))).encode()
    if pick == 6:
        return str(rng.choice([127, 128, 255, 256, 32767, 2 ** 31 - 1, 2 ** 31, 2 ** 63 - 1, 2 ** 63,
                               2 ** 64 - 1, 10 ** 18, 10 ** 19 - 1, 99, 100])).encode()
    if pick == 7:
        return b"-" + str(rng.choice([128, 129, 2 ** 31, 2 ** 63, 9, 10, 99999])).encode()
    sign = "-" if rng.random() < 0.3 else ""
    return (sign + str(rng.randrange(1, 10 ** rng.randrange(1, 20)))).encode()


_WORDS = ["Ann", "Lee", "Émilie", "Zoë", "山田", "太郎", "O'Brien", "x", "😀", "de", "la", "Cruz"]


def _text(rng: random.Random) -> bytes:
    pick = rng.randrange(14)
    if pick == 0:
        return b""
    if pick == 1:  # invalid UTF-8: Python counts it its way (the C rule hands it over)
        return rng.randbytes(rng.randrange(1, 20))
    if pick == 2:
        return rng.choice([b'{"a": 1, "b": "Secret 42", "c": [true, null, 2.5]}', b'  [1, "two", {"x": "y"}]',
                           b"{not json", b"[", b'{"k": "\\u00e9t\\u00e9"}', b'\t{"a":{"b":[]}}'])
    if pick == 3:  # whitespace of every kind bytes.split() knows, and some it does not
        return rng.choice([b" \t\n", b"\x0b\x0cA  B\r\nC", b"\x1cx\x1dy", b"  lead", b"trail  "])
    if pick == 4:
        return ("x" * rng.randrange(60, 400)).encode()
    if pick == 5:
        return rng.choice(["😀 中文", "日本語のテキスト", "\u00e9" * 70, "a\u0301b", "\U0010ffff"]).encode()
    if pick == 6:
        return bytes(rng.choice(b"0123456789 +-()./") for _ in range(rng.randrange(1, 25)))
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(1, 6))).encode()


def _email(rng: random.Random) -> bytes:
    pick = rng.randrange(8)
    if pick == 0:
        return _text(rng)
    if pick == 1:
        return rng.choice([b"@", b"a@", b"@b", b"a@@b.c", b"a@b..c", b"a@.", b"x@y.", b"no-at-sign"])
    local = rng.choice(["john.doe", "Émilie", "a+tag", "用户", "x" * rng.randrange(1, 70)])
    labels = [rng.choice(["mail", "corp", "例え", "sub", "a", "very-long-label"]) for _ in range(rng.randrange(1, 5))]
    return f"{local}@{'.'.join(labels)}.{rng.choice(['com', 'org', 'co.uk', 'jp'])}".encode()


def _date(rng: random.Random) -> bytes:
    pick = rng.randrange(8)
    if pick == 0:
        return rng.choice([b"0000-00-00", b"0000-00-00 00:00:00", b"2020-00-10", b"2021-02-29", b"2024-13-01",
                           b"2024-02-30", b"garbage!", b"2024-1-01", b"", b"20240101"])
    if pick == 1:
        return rng.choice([b"0001-01-01", b"0001-01-03", b"9999-12-31", b"9999-12-25 23:59:59", b"1582-10-10"])
    y, m = rng.randrange(1, 10000), rng.randrange(1, 13)
    d = rng.randrange(1, 29)
    tail = rng.choice(["", " 10:11:12", " 23:59:59.999999", "T00:00:00", ".5"])
    return f"{y:04d}-{m:02d}-{d:02d}{tail}".encode()


# (spec, value generator, kind) for every rule; the type bounds of hash over numbers
RULES = [
    ((SPEC_NULL, 0, b""), _text, S), ((SPEC_CONSTANT, 0, b"C'onst\n"), _text, S), ((SPEC_CONSTANT, 0, b""), _text, S),
    ((SPEC_REDACT, 0, b""), _text, S),
    *[((SPEC_HASH_NUMBER, top, b""), _number, N) for top in (127, 255, 32767, 8388607, 2 ** 31 - 1, 2 ** 32 - 1,
                                                             2 ** 63 - 1, 2 ** 64 - 1, 10 ** 65)],
    ((SPEC_HASH_BYTES, 0, b""), lambda r: r.randbytes(r.randrange(0, 150)), H),
    ((SPEC_HASH_ASCII, 0, b""), _text, H), ((SPEC_HASH_TEXT, 0, b""), _text, S),
    ((SPEC_EMAIL, 0, b""), _email, S), ((SPEC_KEEP_DOMAIN, 0, b""), _email, S),
    ((SPEC_NAME, 0, b""), _text, S), ((SPEC_NAME, 12, b""), _text, S), ((SPEC_NAME, 3, b""), _text, S),
    ((SPEC_PHONE, 0, b""), _text, S),
    ((SPEC_UUID_BIN, 0, b""), lambda r: r.randbytes(16), H), ((SPEC_UUID_TEXT, 0, b""), _text, S),
    ((SPEC_SHIFT_DATE, 10, b""), _date, S), ((SPEC_SHIFT_DATE, 1, b""), _date, S),
    ((SPEC_SHIFT_DATE, 4000000, b""), _date, S), ((SPEC_SHIFT_DATE, 0, b""), _date, S),
]
KEY = MaskKey(b"correct horse battery staple, 2026")


def _plan(specs: list, key_positions: tuple, unique_keys: list, key: MaskKey = KEY) -> MaskSpec:
    fallbacks = [None if s[0] == SPEC_NONE else
                 shift_fn(i, s[1], key, key_positions) if s[0] == SPEC_SHIFT_DATE else value_fn(s, key)
                 for i, s in enumerate(specs)]
    return MaskSpec(specs, key, key_positions, unique_keys, fallbacks)


def _table(rng: random.Random, nrows: int):
    """A generated table: an id, a few columns each under a random rule, one left as it is."""
    rules = rng.sample(RULES, rng.randrange(2, 7))
    specs = [(SPEC_NONE, 0, b"")] + [r[0] for r in rules] + [(SPEC_NONE, 0, b"")]
    gens = [lambda r: str(r.randrange(1, 10 ** 9)).encode()] + [r[1] for r in rules] + [_text]
    kinds = bytes([N] + [r[2] for r in rules] + [S])
    rows = []
    for i in range(nrows):
        rows.append(tuple(None if c > 0 and rng.random() < 0.08 else gens[c](rng) for c in range(len(specs))))
    unique = [(c,) for c in range(1, len(specs) - 1) if rng.random() < 0.5]
    if len(specs) > 3:
        unique.append((1, 2))
    return specs, kinds, rows, unique


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key_positions", [(0,), (), (0, 1)])
def test_every_rule_compiled_equals_reference_byte_for_byte(seed, key_positions):
    rng = random.Random(seed * 7 + len(key_positions))
    for _ in range(8):
        specs, kinds, rows, unique = _table(rng, 120)
        plan = _plan(specs, key_positions, unique)
        compiled, ref = codec.RowMasker(plan), reference.RowMasker(plan)
        rows += rng.sample(rows, 40)  # values again (a foreign key column's): the compiled caches hit
        got, want = compiled.mask_rows(rows), ref.mask_rows(rows)
        for row, g, w in zip(rows, got, want):
            assert g == w, (specs, row)
        assert compiled.take() == ref.take()
        assert compiled.take() == ref.take() == (0, 0, [b""] * len(unique))  # take() starts again from zero
        # what reaches the encoder is the same text and fingerprint
        assert codec.encode_rows(got, 0, kinds, 0) == reference.encode_rows(want, 0, kinds, 0)


# values the compiled rules hand to Python
FALLBACK = {SPEC_HASH_NUMBER: [b"123456789012345678901", b"-99999999999999999999"],
            SPEC_HASH_TEXT: [b"\xff", b"ab\xed\xa0\x80"], SPEC_EMAIL: [b"\xff@a.b", b"a@\xc0.com"],
            SPEC_KEEP_DOMAIN: [b"x@\xf5"], SPEC_REDACT: [b'{"a": 1}', b" [2]", b"{bad"]}


def test_every_rule_covers_each_value_shape_with_the_c_rule_and_the_python_fallback():
    """The generated cases reach both sides: values C masks itself and values it hands to Python."""
    calls = {"n": 0}
    rng = random.Random(5)
    for spec, gen, _ in RULES:
        inner = value_fn(spec, KEY) if spec[0] != SPEC_SHIFT_DATE else shift_fn(0, spec[1], KEY, ())

        def counted(v, inner=inner):
            calls["n"] += 1
            return inner(v)
        plan = MaskSpec([spec], KEY, (), [], [counted])
        rows = [(gen(rng),) for _ in range(300)] + [(v,) for v in FALLBACK.get(spec[0], ())]
        before = calls["n"]
        assert codec.RowMasker(plan).mask_rows(rows) == reference.RowMasker(_plan([spec], (), [])).mask_rows(rows)
        handed = calls["n"] - before
        if spec[0] in FALLBACK:
            assert len(FALLBACK[spec[0]]) <= handed < 300, spec  # a few (20+ digits, invalid UTF-8, JSON), not all
        elif spec[0] in (SPEC_NULL, SPEC_CONSTANT, SPEC_PHONE, SPEC_UUID_BIN, SPEC_UUID_TEXT, SPEC_HASH_BYTES):
            assert handed == 0, spec


def test_masking_is_keyed_and_the_same_value_masks_alike_in_two_maskers():
    rng = random.Random(3)
    rows = [(_email(rng), _number(rng)) for _ in range(200)]
    specs = [(SPEC_EMAIL, 0, b""), (SPEC_HASH_NUMBER, 2 ** 63 - 1, b"")]
    a = codec.RowMasker(_plan(specs, (), [])).mask_rows(rows)
    b = codec.RowMasker(_plan(specs, (), [])).mask_rows(list(reversed(rows)))
    assert a == list(reversed(b))
    other = codec.RowMasker(_plan(specs, (), [], MaskKey(b"another secret entirely, 32 bytes!"))).mask_rows(rows)
    changed = sum(x[0] != y[0] for x, y in zip(a, other) if b"@" in (x[0] or b""))
    assert changed >= 0.9 * sum(b"@" in (x[0] or b"") for x in a)


def test_a_rows_extra_values_pass_and_bad_rows_are_refused_alike():
    plan = _plan([(SPEC_REDACT, 0, b""), (SPEC_NONE, 0, b"")], (), [])
    for impl in (codec.RowMasker, reference.RowMasker):
        assert impl(plan).mask_rows([(b"ab1", b"cd", b"1")]) == [(b"xxx", b"cd", b"1")]
        with pytest.raises(ValueError):
            impl(plan).mask_rows([(b"x",)])
        with pytest.raises(TypeError):
            impl(plan).mask_rows([("text", b"x")])


def test_an_error_of_a_python_rule_is_raised_alike():
    def broken(v):
        raise ZeroDivisionError("the rule failed")
    plan = MaskSpec([(SPEC_HASH_TEXT, 0, b"")], KEY, (), [], [broken])
    for impl in (codec.RowMasker, reference.RowMasker):
        with pytest.raises(ZeroDivisionError):
            impl(plan).mask_rows([(b"\xff invalid UTF-8: C hands it over",)])


def test_redact_keeps_json_json_even_with_a_lone_surrogate():
    out = codec.RowMasker(_plan([(SPEC_REDACT, 0, b"")], (), [])).mask_rows([(b'["\\ud800 Ab1", {"k": 12}]',)])
    assert out == [(b'["' + "\ufffd".encode() * 3 + b' xxx", {"k": 0}]',)]


def test_a_domain_of_many_labels_masks_alike():
    value = b"a@" + b".".join([b"l"] * 300) + b".com"
    plan = _plan([(SPEC_EMAIL, 0, b"")], (), [])
    assert codec.RowMasker(plan).mask_rows([(value,)]) == reference.RowMasker(plan).mask_rows([(value,)])


def test_the_encoder_masks_in_its_fetch_loop_as_the_reference_masks_tuples(server, conn, db):
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.t (id INT PRIMARY KEY, email VARCHAR(80), born DATE, n BIGINT, note TEXT, "
                 "UNIQUE KEY (email))")
    rng = random.Random(11)
    rows = [(i, _email(rng).decode("utf-8", "replace").translate({39: None, 92: None, 0: None})[:80], f"{rng.randrange(1950, 2020)}-0"
             f"{rng.randrange(1, 10)}-1{rng.randrange(0, 9)}", rng.randrange(-2 ** 63, 2 ** 63), f"note {i}")
            for i in range(1, 3001)]
    conn.execute(f"INSERT IGNORE INTO {q}.t VALUES " + ",".join(
        f"({i}, '{e}', '{d}', {n}, '{t}')" for i, e, d, n, t in rows))
    sql = f"SELECT id, email, born, n, note FROM {q}.t ORDER BY id"
    kinds = bytes([N, S, S, N, S])
    specs = [(SPEC_NONE, 0, b""), (SPEC_EMAIL, 0, b""), (SPEC_SHIFT_DATE, 30, b""), (SPEC_HASH_NUMBER, 2 ** 63 - 1, b""),
             (SPEC_NONE, 0, b"")]
    plan = _plan(specs, (0,), [(1,)])
    ref = reference.RowMasker(plan)
    tuples = [r for batch in conn.stream(sql) for r in batch]
    want_rows = ref.mask_rows(tuples)
    with server.connect() as c2:
        masker = codec.RowMasker(plan)
        enc = _encoder.ResultEncoder(c2.unbuffered_result(sql), kinds, (0,), masker)
        texts, n, fp, taken = [], 0, 0, []
        while True:
            text, rows_, f = enc.encode(4000)  # small statements: rows left pending and masked again
            if not rows_:
                break
            texts.append(text)
            n += rows_
            fp = (fp + f) & reference.MASK64
            taken.append(masker.take())
        enc.close()
    assert n == len(want_rows)
    want_text, _, want_fp = reference.encode_rows(want_rows, 0, kinds, 0)
    assert b",\n".join(texts) == want_text and fp == want_fp
    want = ref.take()
    assert sum(t[0] for t in taken) == want[0]
    assert sum(t[1] for t in taken) % 2 ** 64 == want[1]
    assert b"".join(t[2][0] for t in taken) == want[2][0]


@pytest.mark.parametrize("impl", [codec.sort_digests, reference.sort_digests])
def test_sort_digests(impl):
    rng = random.Random(1)
    records = [rng.randbytes(16) for _ in range(500)]
    buf = bytearray(b"".join(records))
    assert impl(buf) == -1 and bytes(buf) == b"".join(sorted(records))
    buf = bytearray(b"".join(records + [records[77]]))
    at = impl(buf)
    assert at >= 0 and buf[at:at + 16] == buf[at + 16:at + 32] == records[77]
    with pytest.raises(ValueError):
        impl(bytearray(17))
    assert impl(bytearray()) == -1


@pytest.mark.parametrize("duplicate", [None, "same-run", "across-runs", "memory-and-run"])
def test_the_unique_check_spills_sorted_runs_and_finds_the_same_duplicates(duplicate):
    rng = random.Random(7)
    digests = [rng.randbytes(16) for _ in range(5000)]
    if duplicate == "same-run":
        digests[11] = digests[10]
    elif duplicate == "across-runs":
        digests[4000] = digests[3]
    elif duplicate == "memory-and-run":
        digests[-1] = digests[0]
    budget = mask_unique.DigestBudget(cap=16 * 300)  # 300 digests in memory, all sets together
    a, other = mask_unique.DigestSet(budget), mask_unique.DigestSet(budget)
    for i in range(0, len(digests), 64):
        a.add(b"".join(digests[i:i + 64]))
        other.add(b"".join(rng.randbytes(16) for _ in range(8)))
        assert sum(len(s._buf) for s in budget.sets) <= budget.cap + 16 * 72  # never more than cap and a batch
    assert a.runs >= 10
    assert a.has_duplicate() == (duplicate is not None)
    assert not other.has_duplicate()
    a.close()
    other.close()
    assert budget.sets == []
