"""Differential tests: every case runs through the compiled encoder and the pure-Python
reference, which must agree byte for byte; the reference is checked against literals."""
import random

import pytest

from dumpcore import codec
from dumpcore.codec import reference
from dumpcore.store.hashing import row_hash

N, S, H = codec.KIND_NUMBER, codec.KIND_STRING, codec.KIND_HEX

assert codec.COMPILED, "the Cython encoder must be built for the tests (make test builds it)"
IMPLEMENTATIONS = {"cython": codec.encode_rows, "reference": reference.encode_rows}

# (raw value, kind, SQL literal)
VALUE_CASES = [
    (None, N, b"NULL"), (None, S, b"NULL"), (None, H, b"NULL"),
    (b"0", N, b"0"), (b"-9223372036854775808", N, b"-9223372036854775808"),
    (b"18446744073709551615", N, b"18446744073709551615"),
    (b"-12345678901234567890123456789012345.123456789012345678901234567891", N,
     b"-12345678901234567890123456789012345.123456789012345678901234567891"),
    (b"1.7976931348623157e308", N, b"1.7976931348623157e308"), (b"-0", N, b"-0"), (b"5e-324", N, b"5e-324"),
    (b"", S, b"''"), (b"plain", S, b"'plain'"), (b"it's", S, b"'it\\'s'"), (b"back\\slash", S, b"'back\\\\slash'"),
    (b"nul\x00byte", S, b"'nul\\0byte'"), (b"lf\ncr\r", S, b"'lf\\ncr\\r'"), (b"ctrl\x1az", S, b"'ctrl\\Zz'"),
    (b'dq"tab\t', S, b"'dq\"tab\t'"), ("😀 中文".encode(), S, b"'" + "😀 中文".encode() + b"'"),
    (b"\\'\\'", S, b"'\\\\\\'\\\\\\''"), (b"0000-00-00 00:00:00", S, b"'0000-00-00 00:00:00'"),
    (b"-838:59:59.999999", S, b"'-838:59:59.999999'"),
    (b"", H, b"''"), (b"\x00", H, b"0x00"), (b"ab\x00\x00", H, b"0x61620000"), (bytes(range(256)), H,
     b"0x" + bytes(range(256)).hex().upper().encode()),
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("raw,kind,literal", VALUE_CASES)
def test_value_literals(impl, raw, kind, literal):
    text, nxt, fp = IMPLEMENTATIONS[impl]([(raw,)], 0, bytes([kind]), 0)
    assert text == b"(" + literal + b")"
    assert nxt == 1
    assert fp == row_hash((raw,))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_rows_are_one_per_line_and_fingerprint_is_order_independent(impl):
    enc = IMPLEMENTATIONS[impl]
    rows = [(b"1", b"a"), (b"2", None), (b"3", b"c\nd")]
    text, nxt, fp = enc(rows, 0, bytes([N, S]), 0)
    assert text == b"(1,'a'),\n(2,NULL),\n(3,'c\\nd')"
    assert nxt == 3
    _, _, fp_rev = enc(list(reversed(rows)), 0, bytes([N, S]), 0)
    assert fp == fp_rev == sum(map(row_hash, rows)) % 2**64


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_max_bytes_stops_at_row_boundary_but_takes_at_least_one_row(impl):
    enc = IMPLEMENTATIONS[impl]
    rows = [(b"%d" % i, b"x" * 10) for i in range(100)]
    text, nxt, _ = enc(rows, 0, bytes([N, S]), 50)
    # each tuple is 16 bytes: two rows and a separator make 34, a third would make 52
    assert len(text) == 34 and text.count(b"\n") == nxt - 1 and nxt == 2
    text2, nxt2, _ = enc(rows, nxt, bytes([N, S]), 50)
    assert text2.startswith(b"(2,") and nxt2 == 4
    big, n1, _ = enc([(b"1", b"y" * 1000)], 0, bytes([N, S]), 10)
    assert n1 == 1 and len(big) > 10


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("bad,error", [((b"1; DROP TABLE x",), ValueError), (("text",), TypeError),
                                       ((1,), TypeError), ((b"",), ValueError)])
def test_rejects_what_is_not_a_raw_value(impl, bad, error):
    with pytest.raises(error):
        IMPLEMENTATIONS[impl]([bad], 0, bytes([N]), 0)


@pytest.mark.parametrize("rows,message", [
    ([(b"1", b"2"), (b"3", b"4 5")], "row 1: column 1: not a number: b'4 5'"),
    ([(b"1", b"")], "row 0: column 1: empty number"),
    ([(b"x" * 50, b"1")], "row 0: column 0: not a number: b'" + "x" * 40 + "'"),
])
def test_a_bad_number_is_named_by_row_and_column_alike(rows, message):
    for impl in IMPLEMENTATIONS.values():
        with pytest.raises(ValueError) as err:
            impl(rows, 0, bytes([N, N]), 0)
        assert str(err.value) == message


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_rejects_rows_of_the_wrong_width(impl):
    with pytest.raises(ValueError, match="expected 2"):
        IMPLEMENTATIONS[impl]([(b"1",)], 0, bytes([N, S]), 0)


def test_fuzz_cython_matches_reference():
    rnd = random.Random(1234)
    alphabet = [bytes([b]) for b in range(256)] + ["é".encode(), "😀".encode()]
    for trial in range(300):
        ncols = rnd.randint(1, 8)
        kinds = bytes(rnd.choice([N, S, H]) for _ in range(ncols))
        rows = []
        for _ in range(rnd.randint(1, 40)):
            row = []
            for k in kinds:
                if rnd.random() < 0.1:
                    row.append(None)
                elif k == N:
                    row.append(str(rnd.randint(-10**20, 10**20)).encode() if rnd.random() < 0.5
                               else repr(rnd.uniform(-1e300, 1e300)).encode())
                else:
                    row.append(b"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60))))
            rows.append(tuple(row))
        limit = rnd.choice([0, 1, 64, 300, 5000])
        start = rnd.randint(0, len(rows) - 1)
        assert codec.encode_rows(rows, start, kinds, limit) == reference.encode_rows(rows, start, kinds, limit), trial


def test_without_the_compiled_module_the_reference_is_used_and_a_dump_says_so_once(server, tmp_path):
    """setup.py builds the extension; if it is missing, dumpcore still works (slowly) and a
    dump says so in one line, while commands that encode nothing (plan) stay quiet."""
    import subprocess
    import sys

    from clirun import conn_args

    code = (
        "import sys, warnings\n"
        "sys.modules['dumpcore.codec._encoder'] = None  # as if it were never built\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    import dumpcore.codec as e\n"
        "    import dumpcore.dump.stream as s\n"
        "print(e.COMPILED, e.encode_rows is e.reference.encode_rows, s.ResultEncoder is None, len(w))\n"
        "print(e.fallback_warning())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    first, second = out.splitlines()
    assert first == "False True True 0"  # nothing at import
    assert second == codec.SLOW_ENCODER_WARNING and codec.fallback_warning() is None

    def cli(*args):
        run = ("import sys; sys.modules['dumpcore.codec._encoder'] = None; sys.argv = ['dumpcore'] + sys.argv[1:]; "
               "from dumpcore.cli.app import main; main()")
        return subprocess.run([sys.executable, "-c", run, *args, *conn_args(server)], capture_output=True, text=True)

    with server.connect() as c:
        c.execute("CREATE DATABASE IF NOT EXISTS slow_enc")
        c.execute("CREATE OR REPLACE TABLE slow_enc.t (id INT PRIMARY KEY, v VARCHAR(10))")
        c.execute("INSERT INTO slow_enc.t VALUES (1, 'a'), (2, 'it''s')")
    try:
        dump = cli("dump", "slow_enc", "-o", str(tmp_path / "d"), "-q")
        assert dump.returncode == 0, dump.stderr
        assert dump.stderr == f"Warning: {codec.SLOW_ENCODER_WARNING}\n"
        assert "(2,'it\\'s')" in (tmp_path / "d" / "data" / "t.00001.sql").read_text()
        plan = cli("plan", "slow_enc")
        assert plan.returncode == 0 and plan.stderr == ""
    finally:
        with server.connect() as c:
            c.execute("DROP DATABASE slow_enc")


@pytest.mark.parametrize("special", [b"\x00", b"\n", b"\r", b"\x1a", b"'", b"\\", b"\t", b"\x1f", b" ", b"&", b"[", b"]",
                                     b"\x7f", b"\x80", b"\xff"])
def test_text_copied_8_bytes_at_a_time_matches_the_reference_at_every_position(special):
    """The compiled encoder copies 8 bytes at a time while none may need escaping: a byte
    that does (or a neighbour of one that does) at each position and length around a block."""
    for n in range(0, 34):
        for pos in range(n):
            raw = b"abcdefghijklmnopqrstuvwxyz0123456789"[:n]
            raw = raw[:pos] + special + raw[pos + 1:]
            rows = [(raw,)]
            assert codec.encode_rows(rows, 0, bytes([S]), 0) == reference.encode_rows(rows, 0, bytes([S]), 0), (n, pos)



_MALLOC_PROBE = """
import ctypes, sys
from dumpcore.codec import keep_freed_memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "keep":
    took = keep_freed_memory()
elif sys.argv[1] != "default":  # the CLI's restore or verify, run to its end (an error: no such dump)
    from dumpcore.cli import entry
    entry.hard_exit = lambda code: None  # carry on after the run, to look at this process
    sys.argv = ["dumpcore", sys.argv[1], "/nonexistent/dump", "-h", "127.0.0.1", "-P", "1"]
    entry.main()
    took = "cli"
else:
    took = None
block = bytearray(8 << 20)  # a restore's chunk block
mapped = libc.mallinfo2().hblkhd  # bytes in blocks of their own mmap
del block
held = libc.mallinfo2().arena  # bytes the heap keeps from the system after the free
print(took, mapped >> 20, held >> 20)
"""


def test_keep_freed_memory_keeps_a_freed_chunk_block_for_the_next():
    """By default an 8 MiB block is an mmap of its own, unmapped when freed, and the next
    one is fresh memory the kernel zeroes again; with the setting it comes from the heap
    and the heap keeps it once freed (glibc's own accounting, mallinfo2)."""
    import subprocess
    import sys

    def probe(mode: str) -> list[str]:
        return subprocess.run([sys.executable, "-c", _MALLOC_PROBE, mode], capture_output=True, text=True,
                              check=True).stdout.split()

    took, mapped, held = probe("keep")
    assert took == "True" and int(mapped) == 0 and int(held) >= 8
    _, mapped, held = probe("default")
    assert int(mapped) >= 8 and int(held) < 8
    for command in ("restore", "verify"):  # the CLI sets it for both
        took, mapped, held = probe(command)
        assert took == "cli" and int(mapped) == 0 and int(held) >= 8, command
    assert codec.reference.keep_freed_memory() is False  # the pure-Python build cannot, and says so


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_fingerprint_terms_of_rows_longer_than_the_crc_batch(impl):
    """The compiled term gathers a row's bytes 512 at a time: values and rows around and past
    that size (and more columns than it, whose NULL digits alone pass it) hash as the reference's."""
    rnd = random.Random(7)
    for ncols in (1, 3, 300, 700):
        for _ in range(20):
            row = tuple(None if rnd.random() < 0.2 else bytes(rnd.randrange(256) for _ in range(rnd.choice(
                (0, 1, 255, 256, 257, 511, 512, 513, 2000)))) for _ in range(ncols))
            _, _, fp = IMPLEMENTATIONS[impl]([row], 0, bytes([1] * ncols), 0)
            assert fp == row_hash(row)
