"""count_patterns, the counting half of the chunk statement check: the compiled scan and
its pure-Python twin (bytes.count) on the same cases, table-driven and fuzzed."""
import random

import pytest

from dumpcore.codec import COMPILED, reference
from dumpcore.codec import count_patterns as compiled

assert COMPILED, "the compiled encoder must be built for these tests (make venv)"
IMPLEMENTATIONS = {"compiled": compiled, "reference": reference.count_patterns}
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
@pytest.mark.parametrize("buf,counts", CASES)
def test_counts(impl, buf, counts):
    assert IMPLEMENTATIONS[impl](buf, PATTERNS) == counts == [buf.count(p) for p in PATTERNS]


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


def test_split_chunk_statements_up_to_a_limit_is_the_split_of_the_prefix():
    from dumpcore.dump.chunks import split_chunk_statements

    rnd = random.Random(5)
    pieces = [b"\n", b";", b"INSERT INTO ", b"x", b"\nINSERT INTO ", b";\n"]
    for _ in range(5000):
        data = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(14)))
        k = rnd.randrange(len(data) + 1)
        assert split_chunk_statements(data, k) == split_chunk_statements(data[:k])
    assert split_chunk_statements(b"INSERT INTO a;\n\nINSERT INTO b;\n") == [b"INSERT INTO a", b"INSERT INTO b"]
