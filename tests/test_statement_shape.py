"""Every statement checked (dumpcore.verify.statement_shape): sqlglot reads each table's
template once; the compiled scanner and its pure-Python twin hold every statement's rows
to it. Differential: the same generated and mutated cases through both scanners."""
import io
import random

import pytest

from dumpcore.codec import COMPILED, KIND_HEX, KIND_NUMBER, KIND_STRING, encode_rows, reference
from dumpcore.codec import scan_rows as compiled_rows
from dumpcore.codec import scan_statements as compiled_statements
from dumpcore.dump import chunks
from dumpcore.dump.chunks import UPSERT_ROW_ALIAS, UPSERT_VALUES, HISTORY_PREFIX, statement_parts
from dumpcore.verify.statement_shape import TEMPLATE_VALUES, StatementShape
from dumpcore.errors import GeneratedSQLError
from dumpcore.schema import sqltext
from generated_schema import random_raw_rows

assert COMPILED, "the compiled encoder must be built for these tests (make venv)"
SCANNERS = {"compiled": (compiled_rows, compiled_statements),
            "reference": (reference.scan_rows, reference.scan_statements)}


def outcome(call, *args):
    """What a scan gives: its result, or its error's message (both scanners must agree)."""
    try:
        return call(*args)
    except ValueError as exc:
        return f"ValueError: {exc}"


# (kinds, row text, accepted?) -- the literal forms, one per line, and what is refused
CASES = [
    (b"\x00", b"(1)", True), (b"\x00", b"(-1)", True), (b"\x00", b"(1.5)", True), (b"\x00", b"(1.)", True),
    (b"\x00", b"(.5)", True), (b"\x00", b"(1e5)", True), (b"\x00", b"(-1.5E-30)", True),
    (b"\x00", b"(1e+308)", True), (b"\x00", b"(NULL)", True), (b"\x00", b"(-0e0)", True),
    (b"\x00", b"()", False), (b"\x00", b"(-)", False), (b"\x00", b"(1e)", False), (b"\x00", b"(1e+)", False),
    (b"\x00", b"(1-2)", False), (b"\x00", b"(--1)", False), (b"\x00", b"(+1)", False), (b"\x00", b"('1')", False),
    (b"\x00", b"(0x1F)", False), (b"\x00", b"(1 )", False), (b"\x00", b"(null)", False), (b"\x00", b"(.)", False),
    (b"\x00", b"(1.2.3)", False), (b"\x00", b"(1,2)", False),
    (b"\x01", b"('')", True), (b"\x01", rb"('a\'b\\c\nd\re\0f\Zg')", True), (b"\x01", b"('NULL')", True),
    (b"\x01", "('é €𝄞')".encode(), True), (b"\x01", b"(NULL)", True), (b"\x01", b"('a\"b`c),(d')", True),
    (b"\x01", b"('a'b')", False), (b"\x01", b"('a\nb')", False), (b"\x01", b"('a\rb')", False),
    (b"\x01", b"('a\x00b')", False), (b"\x01", b"('a\x1ab')", False), (b"\x01", rb"('a\tb')", False),
    (b"\x01", rb"('a\')", False), (b"\x01", b"('abc)", False), (b"\x01", b"(1)", False), (b"\x01", b"('a''b')", False),
    (b"\x02", b"(0x00FF)", True), (b"\x02", b"('')", True), (b"\x02", b"(NULL)", True),
    (b"\x02", b"(0x)", False), (b"\x02", b"(0xF)", False), (b"\x02", b"(0x0ff0)", False), (b"\x02", b"(0xFG)", False),
    (b"\x02", b"('AB')", False), (b"\x02", b"(X'AB')", False), (b"\x02", b"(1)", False),
    (b"\x00\x01\x02", b"(1,'a',0xAB),\n(NULL,NULL,NULL)", True), (b"\x00\x01", b"(1,'a'),\n(2,'b')", True),
    (b"\x00\x01", b"(1,'a'),(2,'b')", False), (b"\x00\x01", b"(1,'a'),\n", False), (b"\x00\x01", b"(1,'a');", False),
    (b"\x00\x01", b"(1,'a',3)", False), (b"\x00\x01", b"(1)", False), (b"\x00\x01", b"(1, 'a')", False),
    (b"\x00", b"", False), (b"\x00", b"(1),\n(2),\n(3)", True), (b"\x00", b"(1)\n,(2)", False),
]


@pytest.mark.parametrize("scanner", SCANNERS)
@pytest.mark.parametrize("kinds, text, accepted", CASES)
def test_literal_forms(scanner, kinds, text, accepted):
    got = outcome(SCANNERS[scanner][0], text, kinds)
    assert (got == text.count(b",\n(") + 1) if accepted else str(got).startswith("ValueError: ")
    assert got == outcome(SCANNERS["reference" if scanner == "compiled" else "compiled"][0], text, kinds)


def test_generated_literals_pass_both_scanners_identically():
    """Random raw rows (every charset, number edge, binary) as the encoder writes them:
    both scanners take them all, whole and as statements of a chunk."""
    rnd = random.Random(22)
    for _ in range(400):
        kinds, rows = random_raw_rows(rnd)
        text, _, _ = encode_rows(rows, 0, kinds, 0)
        assert compiled_rows(text, kinds) == reference.scan_rows(text, kinds) == len(rows)
        head, tail = statement_parts("t", [f"c{i}" for i in range(len(kinds))], ["c0"], UPSERT_VALUES)
        cut = rnd.randrange(1, len(rows) + 1)
        chunk = b"".join(head + encode_rows(part, 0, kinds, 0)[0] + tail for part in (rows[:cut], rows[cut:]) if part)
        assert compiled_statements(chunk, head, tail, kinds) == reference.scan_statements(chunk, head, tail, kinds)
        assert compiled_statements(chunk, head, tail, kinds)[1] == len(rows)


def test_damaged_text_gets_the_same_verdict_from_both_scanners():
    """Generated rows with one byte changed, inserted or removed anywhere: both scanners
    say the same (the same rows, or the same fault at the same byte)."""
    rnd = random.Random(7)
    alphabet = b"(),\n'\\0123456789-.eE+xABFNUL\x00\r\x1a\"`; "
    refused = 0
    for _ in range(4000):
        kinds, rows = random_raw_rows(rnd, max_rows=6)
        text = bytearray(encode_rows(rows, 0, kinds, 0)[0])
        head, tail = statement_parts("t", [f"c{i}" for i in range(len(kinds))], [], "")
        at = rnd.randrange(len(text) + 1)
        how = rnd.randrange(3)
        if how == 0 and at < len(text):
            text[at] = rnd.choice(alphabet)
        elif how == 1:
            text[at:at] = bytes([rnd.choice(alphabet)])
        elif at < len(text):
            del text[at]
        data = bytes(text)
        got = outcome(compiled_rows, data, kinds)
        assert got == outcome(reference.scan_rows, data, kinds), (kinds, data)
        chunk = head + data + tail
        assert (outcome(compiled_statements, chunk, head, tail, kinds)
                == outcome(reference.scan_statements, chunk, head, tail, kinds)), (kinds, chunk)
        refused += isinstance(got, str)
    assert refused > 1000  # the damage was seen, not only let through


@pytest.mark.parametrize("scanner", SCANNERS)
def test_a_damaged_statement_anywhere_in_a_chunk_is_named(scanner):
    kinds = bytes([KIND_NUMBER, KIND_STRING, KIND_HEX])
    head, tail = statement_parts("t", ["a", "b", "c"], ["a"], UPSERT_ROW_ALIAS, HISTORY_PREFIX)
    statements = [head + encode_rows([(str(i * 100 + r).encode(), b"x'y" * r, bytes([r])) for r in range(50)],
                                     0, kinds, 0)[0] + tail for i in range(40)]
    scan = SCANNERS[scanner][1]
    assert scan(b"".join(statements), head, tail, kinds) == (40, 2000)
    for number, damage in ((37, lambda s: s.replace(b",\n(3612,", b",\n(36 12,")),
                           (23, lambda s: s.replace(b"'x\\'yx\\'y'", b"'x'yx\\'y'")),
                           (40, lambda s: s.replace(b"\nAS dumpcore_new", b";\nAS dumpcore_new")),
                           (12, lambda s: s.replace(b"SET STATEMENT", b"SET  STATEMENT")),
                           (5, lambda s: s.replace(b"0x07)", b"0x7)"))):
        damaged = list(statements)
        damaged[number - 1] = damage(damaged[number - 1])
        assert damaged[number - 1] != statements[number - 1]
        with pytest.raises(ValueError, match=rf"^statement {number} "):
            scan(b"".join(damaged), head, tail, kinds)


@pytest.mark.parametrize("mode", ["shape", "first", "all"])
def test_the_dump_names_the_file_and_statement_of_a_damaged_row_past_the_first_bytes(mode):
    """A bug in the encoder past a chunk's first statement (and past the first 4 KiB that
    `first` parses) fails the dump, naming the chunk file and the statement."""
    def encode(batch, i, kinds, max_bytes):
        text, j, fp = chunks.encode_rows(batch, i, kinds, max_bytes)
        return text.replace(b"'row2500'", b"'row2500',)"), j, fp

    rows = [(str(n).encode(), b"row%d" % n) for n in range(1, 4000)]
    w = chunks.ChunkWriter(chunks.StreamSink(io.BytesIO()), "t", ["id", "v"], bytes([0, 1]), ["id"], [0],
                           UPSERT_VALUES, 16 << 10, 64 << 20, validate_mode=mode)
    with pytest.raises(GeneratedSQLError, match=r"generated statement (\d+) in data/t\.00001\.sql is not its "
                                                r"table's INSERT: row \d+ column 3 \(byte \d+\): expected '\)'") as e:
        w.write_from(chunks.BatchSource([rows], bytes([0, 1]), [0], encode=encode))
    assert int(e.value.message.split()[2]) > 2  # statements of 16 KiB: row 2500 is in a later one


def test_validate_none_checks_nothing():
    def encode(batch, i, kinds, max_bytes):
        text, j, fp = chunks.encode_rows(batch, i, kinds, max_bytes)
        return text.replace(b"'row3'", b"'row3',)"), j, fp

    out = io.BytesIO()
    w = chunks.ChunkWriter(chunks.StreamSink(out), "t", ["id", "v"], bytes([0, 1]), ["id"], [0],
                           UPSERT_VALUES, 16 << 10, 64 << 20, validate_mode="none")
    w.write_from(chunks.BatchSource([[(b"%d" % n, b"row%d" % n) for n in range(1, 9)]], bytes([0, 1]), [0],
                                    encode=encode))
    w.finish()
    assert b"'row3',)" in out.getvalue()


@pytest.mark.parametrize("key, form, prefix", [([], "", ""), (["c0"], UPSERT_VALUES, ""),
                                               (["c0", "c1"], UPSERT_ROW_ALIAS, ""), ([], "", HISTORY_PREFIX)])
def test_every_template_reads_back_as_its_raw_values(key, form, prefix):
    """sqlglot parses the template of columns of every kind and must read each literal back
    as the raw value the encoder was given (NULL, negative, exponent, escapes, binary)."""
    rnd = random.Random(len(key))
    for _ in range(20):
        kinds = bytes(rnd.choice([KIND_NUMBER, KIND_STRING, KIND_HEX]) for _ in range(rnd.randint(2, 7)))
        columns = [f"c{i}`x" if i % 3 == 2 else f"c{i}" for i in range(len(kinds))]
        head, tail = statement_parts("t`1", columns, key, form, prefix)
        StatementShape("t`1", columns, kinds, key, head, tail, prefix.encode()).check_template("template")
    assert all(len(v) >= 2 for v in TEMPLATE_VALUES.values())


@pytest.mark.parametrize("change, why", [
    (lambda s: s.replace(b"`c1`=VALUES(`c1`)", b"`c0`=VALUES(`c1`)"), "not the upsert clause"),
    (lambda s: s.replace(b"(`c0`,`c1`,`c2`)", b"(`c0`,`c2`,`c1`)"), "other columns"),
    (lambda s: s.replace(b"INSERT INTO `t`", b"INSERT INTO `u`"), "another table"),
    (lambda s: s.replace(b"0x00FF10", b"0x00FF11", 1), "row 1 column 3 reads as"),
    (lambda s: s.replace(b"\\0f", b"\\\\0f", 1), "row 1 column 2 reads as"),
    (lambda s: s.replace(b"1.5e-7", b"1.5e-8", 1), "row 2 column 1 reads as"),
    (lambda s: s.replace(b"1.5e-7,", b"", 1), "row 2 does not hold one value per column"),
    (lambda s: s.replace(b"VALUES\n(", b"VALUES\n((", 1), "does not parse"),
])
def test_a_template_that_reads_otherwise_is_refused(monkeypatch, change, why):
    """The sqlglot side of the template check can fail: each change to what the encoder
    wrote (or to head and tail) is named."""
    kinds = bytes([KIND_NUMBER, KIND_STRING, KIND_HEX])
    head, tail = statement_parts("t", ["c0", "c1", "c2"], ["c0"], UPSERT_VALUES)
    shape = StatementShape("t", ["c0", "c1", "c2"], kinds, ["c0"], head, tail)
    real = shape.template

    def template():
        statement, rows = real()
        return change(statement), rows

    monkeypatch.setattr(shape, "template", template)
    monkeypatch.setattr(shape, "check_rows", lambda *a: None)  # the sqlglot side alone
    with pytest.raises(GeneratedSQLError, match=why):
        shape.check_template("template")


def test_the_template_is_parsed_once_per_writer_not_per_statement(monkeypatch):
    parsed: list[str] = []
    real = sqltext.parse_one
    monkeypatch.setattr(sqltext, "parse_one", lambda sql: (parsed.append(sql), real(sql))[1])
    monkeypatch.setattr(sqltext, "_PASSED", set())  # no shape passed before in this process
    w = chunks.ChunkWriter(chunks.StreamSink(io.BytesIO()), "t", ["id", "v"], bytes([0, 1]), ["id"], [0],
                           UPSERT_VALUES, 4 << 10, 64 << 20)
    w.write_from(chunks.BatchSource([[(b"%d" % n, b"row%d" % n) for n in range(1, 3000)]], bytes([0, 1]), [0]))
    result = w.finish()
    assert len(parsed) == 1 and parsed[0].startswith("INSERT INTO `t` (`id`,`v`) VALUES\n(-12,")
    assert result.rows == 2999 and sum(c.max_statement_bytes > 0 for c in result.chunks) == 1
    empty = chunks.ChunkWriter(chunks.StreamSink(io.BytesIO()), "e", ["id"], bytes([0]), ["id"], [0],
                               UPSERT_VALUES, 4 << 10, 64 << 20)
    empty.write_from(chunks.BatchSource([[]], bytes([0]), [0]))
    assert empty.finish().rows == 0 and len(parsed) == 1  # an empty table: no template parsed


def test_long_literals_with_a_fault_at_every_position_get_the_same_verdict():
    """The compiled scanner reads strings and hex digits 16 bytes a step: a byte that ends
    the run (or breaks it) at every offset across those steps, both scanners agree."""
    for length in (15, 16, 17, 31, 32, 33, 64):
        for at in range(length):
            for bad in (b"\n", b"\x00", b"'", b"\\", b"\t", b"\xff", b"\x1a", b"\r"):
                text = b"a" * at + bad + b"b" * (length - at - 1)
                row = b"(1,'" + text + b"',0x" + b"AB" * length + b")"
                kinds = b"\x00\x01\x02"
                assert outcome(compiled_rows, row, kinds) == outcome(reference.scan_rows, row, kinds)
            for bad in (b"a", b"G", b"/", b":", b"@", b"'", b"\x00"):
                digits = b"0123456789ABCDEF" * 5
                row = b"(0x" + digits[:at] + bad + digits[at + 1:length] + b")"
                got = outcome(compiled_rows, row, b"\x02")
                assert got == outcome(reference.scan_rows, row, b"\x02") and isinstance(got, str), row


def test_a_statement_of_a_shape_that_passed_is_not_parsed_again(monkeypatch):
    """Tables of one design (10,000 tenants' tables) differ only in plain quoted names:
    parsed once. A name that is not plain, another structure, or a check that did not pass
    is parsed every time."""
    parsed: list[str] = []
    real = sqltext.parse_one
    monkeypatch.setattr(sqltext, "parse_one", lambda sql: (parsed.append(sql), real(sql))[1])
    monkeypatch.setattr(sqltext, "_PASSED", set())

    def template(table: str, columns: list[str], key: int = 0) -> None:
        w = chunks.ChunkWriter(chunks.StreamSink(io.BytesIO()), table, columns, bytes([0, 1]), [columns[key]], [key],
                               UPSERT_VALUES, 4 << 10, 64 << 20)
        w.write_from(chunks.BatchSource([[(b"1", b"x")]], bytes([0, 1]), [key]))
        w.finish()

    for n in range(20):
        template(f"tenant_{n}", ["id", "v"])
        sqltext.note_server_ddl(f"CREATE TABLE `tenant_{n}` (`id` int NOT NULL, `v` text, PRIMARY KEY (`id`))", [])
        sqltext.validate(f"DELETE FROM `tenant_{n}`", "script statement")
    assert len(parsed) == 3, parsed
    template("we`ird", ["id", "v"])  # a backtick in the name: its quoting is what a parse checks
    template("tenant_x", ["id", "v"], key=1)  # the key is the other column: another structure
    sqltext.validate("DELETE FROM `tenant_x` WHERE 1", "script statement")
    assert len(parsed) == 6
    problems: list[str] = []
    for n in range(2):  # the server's DDL sqlglot cannot read: said for each table, not once
        sqltext.note_server_ddl(f"CREATE TABLE `p{n}` (`id` int NOT NULL DEFAULT (1 +))", problems)
    assert len(problems) == 2 and len(parsed) == 8
