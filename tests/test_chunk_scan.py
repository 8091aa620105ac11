"""count_patterns, the counting half of the chunk statement check: the compiled scan and
its pure-Python twin (bytes.count) on the same cases, table-driven and fuzzed, on every
kind of buffer they are given; and the check's streamed count (one reused buffer per
chunk, a few bytes carried between blocks) against counting the whole chunk at once."""
import random

import pytest

from dumpcore.codec import COMPILED, reference
from dumpcore.codec import count_patterns as compiled

assert COMPILED, "the compiled encoder must be built for these tests (make venv)"
IMPLEMENTATIONS = {"compiled": compiled, "reference": reference.count_patterns}
# what the pre-flight hands them: a view into the middle of its reused bytearray
BUFFERS = {"bytes": bytes, "bytearray": bytearray,
           "view": lambda b: memoryview(bytearray(b"\n;" + b + b"\nx"))[2:2 + len(b)]}
PATTERNS = (b"\nINSERT INTO ", b"\nINSERT INTO `t` (`a`) VALUES\n", b";\n", b")\nON DUPLICATE KEY UPDATE `a`=1;\n",
            b"\nON DUPLICATE KEY UPDATE ", b"\nAS ", b";\n(", b"\n\n", b"x\nx")

CASES = [
    (b"", [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    (b"INSERT INTO `t` (`a`) VALUES\n(1);\n", [0, 0, 1, 0, 0, 0, 0, 0, 0]),
    (b"INSERT INTO `t` (`a`) VALUES\n(1);\nINSERT INTO `t` (`a`) VALUES\n(2);\n", [1, 1, 2, 0, 0, 0, 0, 0, 0]),
    (b"(1)\nON DUPLICATE KEY UPDATE `a`=1;\n", [0, 0, 1, 1, 1, 0, 0, 0, 0]),
    (b"(1), -- x;\n(2)\nAS new", [0, 0, 1, 0, 0, 1, 1, 0, 0]),
    (b"\n\n\n\n\n", [0, 0, 0, 0, 0, 0, 0, 2, 0]),  # non-overlapping, as bytes.count
    (b"x\nx\nx\nx", [0, 0, 0, 0, 0, 0, 0, 0, 2]),
    (b"\nINSERT INTO", [0, 0, 0, 0, 0, 0, 0, 0, 0]),  # cut at the end of the buffer
    (b";", [0, 0, 0, 0, 0, 0, 0, 0, 0]),
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("kind", BUFFERS)
@pytest.mark.parametrize("buf,counts", CASES)
def test_counts(impl, kind, buf, counts):
    assert IMPLEMENTATIONS[impl](BUFFERS[kind](buf), PATTERNS) == counts == [buf.count(p) for p in PATTERNS]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_a_pattern_without_a_newline_is_refused(impl):
    with pytest.raises(ValueError):
        IMPLEMENTATIONS[impl](b"abc", (b"abc",))


def test_fuzz_compiled_matches_reference():
    rnd = random.Random(11)
    pieces = [b"\n", b";", b"(", b")", b"x", b"INSERT INTO ", b"`t` (`a`) VALUES\n", b"ON DUPLICATE KEY UPDATE ",
              b"AS ", b"`a`=1", b"\\n", b"'"]
    for _ in range(3000):
        buf = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 40)))
        pats = tuple(rnd.sample(PATTERNS, rnd.randrange(1, len(PATTERNS) + 1)))
        assert compiled(buf, pats) == reference.count_patterns(buf, pats), (buf, pats)
        view = BUFFERS["view"](buf)
        assert compiled(view, pats) == reference.count_patterns(view, pats) == compiled(buf, pats), (buf, pats)


def test_split_chunk_statements_up_to_a_limit_is_the_split_of_the_prefix():
    from dumpcore.dump.chunks import split_chunk_statements

    rnd = random.Random(5)
    pieces = [b"\n", b";", b"INSERT INTO ", b"x", b"\nINSERT INTO ", b";\n"]
    for _ in range(5000):
        data = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(14)))
        k = rnd.randrange(len(data) + 1)
        assert split_chunk_statements(data, k) == split_chunk_statements(data[:k])
    assert split_chunk_statements(b"INSERT INTO a;\n\nINSERT INTO b;\n") == [b"INSERT INTO a", b"INSERT INTO b"]


def _chunk_text(rnd: random.Random, head: bytes, tail: bytes, pieces: list[bytes]) -> bytes:
    """Statements as a dump writes them, sometimes with a stray piece between or inside."""
    out = []
    for _ in range(rnd.randrange(1, 6)):
        rows = b",\n".join(b"(%d,'%s')" % (rnd.randrange(1000), rnd.choice(pieces).replace(b"\n", b"\\n"))
                           for _ in range(rnd.randrange(1, 5)))
        out.append(head + rows + tail)
        if rnd.random() < 0.3:
            out.append(rnd.choice(pieces))
    return b"".join(out)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "zst"])
def test_streamed_count_with_a_reused_buffer_is_the_whole_chunk_count(tmp_path, monkeypatch, compressed):
    """Blocks of 1 to ~60 bytes: every pattern straddles a block boundary somewhere, so each
    is found partly in the bytes carried to the buffer's front and partly in the block read
    after them; counts, first and last bytes must be those of the whole chunk at once."""
    from dumpcore.dump.chunks import UPSERT_ROW_ALIAS, UPSERT_VALUES, statement_parts
    from dumpcore.store import hashing
    from dumpcore.store.compression import ZSTD_SUFFIX, _zstd
    from dumpcore.verify import chunk_check

    rnd = random.Random(22 + compressed)
    pieces = [b"\n", b";\n", b"x", b"\nINSERT INTO ", b"\nON DUPLICATE KEY UPDATE ", b"\nAS ", b";\n(", b"`a`=1"]
    cases = 0
    for key, form in (([], UPSERT_VALUES), (["a"], UPSERT_VALUES), (["a"], UPSERT_ROW_ALIAS)):
        head, tail = statement_parts("t", ["a", "b"], key, form)
        pats = chunk_check._patterns(head, tail[:-2])
        for trial in range(40):
            data = _chunk_text(rnd, head, tail, pieces)
            path = tmp_path / f"c{trial}.sql"
            path.write_bytes(data)
            if compressed:
                path = path.with_name(path.name + ZSTD_SUFFIX)
                path.write_bytes(_zstd().ZstdCompressor(write_checksum=True).compress(data))
            block = rnd.randrange(1, 60)
            monkeypatch.setattr(hashing, "READ_BLOCK", block)
            h = hashing.chunk_hasher()
            counts, first, last = chunk_check._count(path, pats, len(head), len(tail), h)
            assert counts == dict(zip(pats, reference.count_patterns(data, tuple(pats.values())))), (data, block)
            assert (first, last) == (data[:len(head)], data[-len(tail):]), (data, block)
            assert h.hexdigest() == hashing.hash_bytes(path.read_bytes())
            cases += len(data) // block
    assert cases > 1000  # block boundaries crossed
