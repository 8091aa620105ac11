"""restore --load-method load-data: the row-tuple -> LOAD DATA text converter (compiled and
reference, differential), the in-memory infile feed against the real server, and the
restore's choice and fallback."""
import random
import re

import pytest

from dumpcore import codec
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.codec import _encoder, reference
from dumpcore.errors import ServerError
from dumpcore.restore.load_data import load_statement
from dumpcore.restore.restore import RestoreOptions, restore
from test_encoder import VALUE_CASES

N, S, H = codec.KIND_NUMBER, codec.KIND_STRING, codec.KIND_HEX
IMPLEMENTATIONS = {"cython": _encoder.load_text, "reference": reference.load_text}
_UNESCAPE = {b"0": b"\0", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a", b"b": b"\b"}


def read_load_text(text: bytes, kinds: bytes) -> list[tuple]:
    """LOAD DATA's reading of its default format (the server's rules), hex columns unhexed."""
    rows = []
    for line in text.split(b"\n")[:-1]:
        fields = line.split(b"\t")
        assert len(fields) == len(kinds)
        row = []
        for f, k in zip(fields, kinds):
            if f == b"\\N":
                row.append(None)
            elif k == H:
                row.append(bytes.fromhex(f.decode()))
            else:
                row.append(re.sub(rb"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), f, flags=re.S))
        rows.append(tuple(row))
    assert text.endswith(b"\n") or not text
    return rows


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("raw,kind,literal", VALUE_CASES)
def test_every_encoded_value_reads_back_as_itself(impl, raw, kind, literal):
    tup, _, _ = codec.encode_rows([(b"7", raw, b"x")], 0, bytes([N, kind, S]), 0)
    text, rows = IMPLEMENTATIONS[impl](tup, bytes([N, kind, S]))
    assert rows == 1
    assert read_load_text(text, bytes([N, kind, S])) == [(b"7", raw, b"x")]


def test_null_the_word_and_empty_string_stay_apart():
    kinds = bytes([S, S, S, S, H])
    tup, _, _ = codec.encode_rows([(None, b"NULL", b"", b"\\N", b"")], 0, kinds, 0)
    for impl in IMPLEMENTATIONS.values():
        text, _ = impl(tup, kinds)
        assert text == b"\\N\tNULL\t\t\\\\N\t\n"


def test_fuzz_compiled_matches_reference_and_round_trips():
    rnd = random.Random(99)
    alphabet = [bytes([b]) for b in range(256)] + ["é".encode(), "😀".encode(), b"\\N", b"NULL", b"\t", b"\\"]
    for trial in range(300):
        kinds = bytes(rnd.choice([N, S, H]) for _ in range(rnd.randint(1, 7)))
        rows = []
        for _ in range(rnd.randint(1, 30)):
            row = []
            for k in kinds:
                if rnd.random() < 0.15:
                    row.append(None)
                elif k == N:
                    row.append(str(rnd.randint(-10**20, 10**20)).encode() if rnd.random() < 0.5
                               else repr(rnd.uniform(-1e300, 1e300)).encode())
                else:
                    row.append(b"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))))
            rows.append(tuple(row))
        body, _, _ = codec.encode_rows(rows, 0, kinds, 0)
        compiled = _encoder.load_text(body, kinds)
        assert compiled == reference.load_text(body, kinds), trial
        assert compiled[1] == len(rows)
        assert read_load_text(compiled[0], kinds) == rows, trial


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_rows_given_as_a_view_convert_as_the_same_bytes(impl):
    """The loader hands load_text a view into its reused read buffer (bytes either side)."""
    rnd = random.Random(7)
    for trial in range(100):
        kinds = bytes(rnd.choice([N, S, H]) for _ in range(rnd.randint(1, 5)))
        rows = [tuple(None if rnd.random() < 0.2 else (b"%d" % rnd.randrange(10**6) if k == N else
                      bytes(rnd.randrange(256) for _ in range(rnd.randrange(12)))) for k in kinds)
                for _ in range(rnd.randint(1, 20))]
        body, _, _ = codec.encode_rows(rows, 0, kinds, 0)
        around = bytearray(b"INSERT INTO `t` VALUES\n" + body + b"\nON DUPLICATE KEY UPDATE ")
        view = memoryview(around)[23:23 + len(body)]
        assert view == body
        assert IMPLEMENTATIONS[impl](view, kinds) == IMPLEMENTATIONS[impl](body, kinds) == reference.load_text(body, kinds)
    with pytest.raises(ValueError):  # a cut view is refused as the cut bytes are
        IMPLEMENTATIONS[impl](memoryview(bytearray(b"(1),\n(2)"))[:6], bytes([N]))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("body,kinds", [
    (b"(1,'a')", bytes([N])),  # more values than columns
    (b"(1)", bytes([N, S])),  # fewer
    (b"('a')", bytes([N])),  # a string in a number column
    (b"(0x61)", bytes([S])),  # hex in a string column
    (b"('ab')", bytes([H])),  # a non-empty string in a binary column
    (b"(1;DROP)", bytes([N])),
    (b"('open)", bytes([S])),
    (b"(1),(2)", bytes([N])),  # rows are separated by ",\n"
    (b"(NUL)", bytes([N])),
    (b"1", bytes([N])),
])
def test_malformed_rows_are_refused(impl, body, kinds):
    with pytest.raises(ValueError):
        IMPLEMENTATIONS[impl](body, kinds)


def test_feed_streams_blocks_and_a_file_is_never_read(server, conn, db):
    conn.execute(f"USE {db}")
    conn.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, b BLOB)")
    kinds = bytes([N, S, H])
    rows = [(b"%d" % i, b"tab\there\\N 'q' \n" * (i % 5), bytes(range(i % 256))) for i in range(5000)]
    body, _, _ = codec.encode_rows(rows, 0, kinds, 0)
    text, _ = codec.load_text(body, kinds)
    blocks = [text[i:i + 70001] for i in range(0, len(text), 70001)]  # not aligned with rows or packets
    cols = [{"name": "id", "kind": N}, {"name": "s", "kind": S}, {"name": "b", "kind": H}]
    with server.connect(db, local_infile=True) as c:
        affected, warnings = c.load_local(load_statement("t", cols), iter(blocks))
        assert (affected, warnings) == (5000, 0)
        # a server asking for a file outside a load_local() gets an error, never the file
        with pytest.raises(ServerError):
            c.execute("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE t (s)")
        assert c.scalar("SELECT COUNT(*) FROM t") == "5000"
        got = c.query("SELECT id, s, b FROM t ORDER BY id")
        assert [tuple(r) for r in got] == [(r[0], r[1], r[2]) for r in rows]

        def failing():
            yield text[:1000]
            raise RuntimeError("disk gone")
        c.execute("START TRANSACTION")
        with pytest.raises(RuntimeError, match="disk gone"):
            c.load_local(load_statement("t", cols), failing())
        c.execute("ROLLBACK")
        assert c.scalar("SELECT COUNT(*) FROM t") == "5000"  # the connection is still usable


def test_auto_keeps_upserts_for_a_table_that_holds_rows_and_falls_back_on_warnings(server, conn, db, tmp_path):
    conn.execute(f"USE {db}")
    conn.execute("CREATE TABLE kept (id INT PRIMARY KEY, v VARCHAR(20))")
    conn.execute("CREATE TABLE narrowed (id INT PRIMARY KEY, v VARCHAR(20))")
    conn.execute("INSERT INTO kept VALUES " + ",".join(f"({i}, 'v{i}')" for i in range(100)))
    conn.execute("INSERT INTO narrowed VALUES " + ",".join(f"({i}, '{'x' * (i % 20)}')" for i in range(100)))
    out = tmp_path / "dump"
    dump_to_directory(server, db, out, DumpOptions())
    conn.execute("DELETE FROM kept WHERE id >= 50")
    conn.execute("UPDATE kept SET v = 'changed' WHERE id < 10")
    conn.execute("TRUNCATE narrowed")
    # rows with longer values cannot load (a narrower column is refused by the pre-flight: test_typecheck.py)
    conn.execute("ALTER TABLE narrowed ADD CONSTRAINT v_short CHECK (CHAR_LENGTH(v) <= 10)")
    summary = restore(out, server, RestoreOptions(database=db, parallel=2, load_method="auto"))
    assert summary.tables["kept"].method == "upsert"
    assert summary.tables["narrowed"].method == "load-data"
    assert conn.scalar("SELECT COUNT(*) FROM kept") == "100"
    assert conn.scalar("SELECT COUNT(*) FROM kept WHERE v = 'changed'") == "0"
    # LOAD DATA warned (the CHECK failed): the chunk was rolled back and the upserts loaded it,
    # rejecting exactly the rows that do not fit
    assert any("narrowed" in w and "LOAD DATA" in w for w in summary.warnings), summary.warnings
    assert summary.rejected == {"narrowed": sum(1 for i in range(100) if i % 20 > 10)}
    assert conn.scalar("SELECT COUNT(*) FROM narrowed") == str(sum(1 for i in range(100) if i % 20 <= 10))
