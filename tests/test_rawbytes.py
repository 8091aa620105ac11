"""Text in a character set with bytes utf8mb4 cannot hold (cp1251's 0x98, ascii's upper
half, sjis' 0x81AD) is dumped as its stored bytes: every byte comes back through every
way of loading a dump, compared by HEX() (never through utf8mb4, which reads them all as
'?'); an older dump, which wrote such columns as text, still verifies and restores."""
import json
import shutil
from pathlib import Path

import pytest

from clirun import conn_args, dumpcore
from conftest import run_client
from dbcompare import raw_rows
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.schema.schema import RAW_CHARSETS
from dumpcore.schema.typecheck import ColumnType, column_type_of, fits
from dumpcore.verify.verify import verify_against

OLD_DUMP = Path(__file__).parent / "data" / "old-cp1251-dump"  # written by dumpcore before this change
_UNICODE = {"utf8mb3", "utf8mb4", "ucs2", "utf16", "utf16le", "utf32", "binary"}
# per multi-byte charset: a well-formed code the server stores but has no Unicode character for
_UNMAPPED = {"sjis": "81AD", "cp932": "81AD", "gbk": "A140", "big5": "A3C0", "ujis": "A2AF", "eucjpms": "A2AF",
             "euckr": "A2E8", "gb2312": "A2A1"}


def _single_byte_charsets(conn) -> list[str]:
    return [r[0] for r in conn.query_text(
        "SELECT CHARACTER_SET_NAME FROM information_schema.CHARACTER_SETS WHERE MAXLEN = 1 "
        "AND CHARACTER_SET_NAME <> 'binary' ORDER BY 1")]


def _create_source(conn, db: str) -> list[str]:
    """Every byte value in a VARCHAR and a CHAR (with a trailing space the CHAR drops) of each
    single-byte charset; a binary-collated cp1251 primary key of every byte (its chunks'
    key ranges are hex literals); an unmapped and a mapped code of each multi-byte one."""
    charsets = _single_byte_charsets(conn)
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")  # the server stores these bytes in strict mode
    cols = ", ".join(f"v_{cs} VARCHAR(3) CHARACTER SET {cs}, c_{cs} CHAR(3) CHARACTER SET {cs}" for cs in charsets)
    conn.execute(f"CREATE TABLE bytes256 (id INT PRIMARY KEY, {cols}, t TEXT CHARACTER SET cp1251)")
    byte = "UNHEX(LPAD(HEX(seq), 2, '0'))"
    values = ", ".join(f"CONCAT({byte}, 'a'), CONCAT(' ', {byte}, ' ')" for _ in charsets)
    conn.execute(f"INSERT INTO bytes256 SELECT seq, {values}, REPEAT({byte}, seq) FROM seq_0_to_255")
    conn.execute("INSERT INTO bytes256 (id) VALUES (256)")  # NULLs
    conn.execute("CREATE TABLE keyed (k VARCHAR(2) CHARACTER SET cp1251 COLLATE cp1251_bin PRIMARY KEY, "
                 "g VARCHAR(2) CHARACTER SET greek, n INT)")
    conn.execute(f"INSERT INTO keyed SELECT {byte}, {byte}, seq FROM seq_0_to_255")
    mb = list(_UNMAPPED)
    conn.execute("CREATE TABLE multibyte (id INT PRIMARY KEY, "
                 + ", ".join(f"m_{cs} VARCHAR(4) CHARACTER SET {cs}" for cs in mb) + ")")
    conn.execute("INSERT INTO multibyte VALUES (1, " + ", ".join(f"0x{_UNMAPPED[cs]}" for cs in mb) + "), (2, "
                 + ", ".join(f"CONVERT(_utf8mb4 'A' USING {cs})" for cs in mb) + ")")
    return ["bytes256", "keyed", "multibyte"]


def _hex_rows(conn, db: str, table: str) -> list[tuple]:
    """Every column as HEX() of its stored bytes (NULL stays NULL), in primary key order."""
    names = [r[0] for r in conn.query_text(
        f"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{table}' "
        "ORDER BY ORDINAL_POSITION")]
    return conn.query_text(f"SELECT {', '.join(f'HEX({quote_ident(n)})' for n in names)} "
                           f"FROM {quote_ident(db)}.{quote_ident(table)} ORDER BY 1")


def _assert_same_bytes(conn, source: str, target: str, tables: list[str]) -> None:
    for t in tables:
        a, b = _hex_rows(conn, source, t), _hex_rows(conn, target, t)
        assert len(a) == len(b) > 0, t
        for ra, rb in zip(a, b):
            assert ra == rb, f"{t}: {ra} != {rb}"


def test_raw_charsets_are_those_whose_bytes_the_server_cannot_read_as_utf8mb4(conn, db):
    """The list in schema.py is the server's: a charset is in it when a byte (single-byte
    ones) or a well-formed two-byte code (multi-byte ones) it stores does not come back
    from utf8mb4 as itself; latin1, koi8r, cp850, ... convert every byte and back."""
    conn.execute(f"USE {quote_ident(db)}")  # the seq_ tables of the SEQUENCE engine
    lossy = set()
    for cs, maxlen in conn.query_text("SELECT CHARACTER_SET_NAME, MAXLEN FROM information_schema.CHARACTER_SETS"):
        if cs in _UNICODE:
            continue
        codes = "UNHEX(LPAD(HEX(seq), 2, '0')) b FROM seq_0_to_255" if maxlen == "1" else \
            "UNHEX(LPAD(HEX(seq), 4, '0')) b FROM seq_32768_to_65535"
        lost = conn.scalar(
            f"SELECT COUNT(*) FROM (SELECT {codes}) s WHERE CHAR_LENGTH(CONVERT(b USING {cs})) = 1 "
            f"AND CAST(CONVERT(b USING {cs}) AS BINARY) = b "
            f"AND CAST(CONVERT(CONVERT(CONVERT(b USING {cs}) USING utf8mb4) USING {cs}) AS BINARY) <> b")
        if int(lost):
            lossy.add(cs)
    server_charsets = {r[0] for r in conn.query_text("SELECT CHARACTER_SET_NAME FROM information_schema.CHARACTER_SETS")}
    assert lossy == RAW_CHARSETS & server_charsets
    assert {"cp1251", "ascii", "sjis"} <= lossy and "latin1" not in lossy


@pytest.mark.parametrize("method", ["upsert", "load-data", "stdout", "load.sql"])
def test_every_byte_of_every_charset_round_trips(server, conn, db, tmp_path, method):
    """Each single-byte charset's 256 byte values (and the multi-byte ones' unmapped codes)
    come back byte for byte through restore (both load methods, proven), ``dump --stdout |
    mariadb`` and ``mariadb < scripts/load.sql``; before the fix they came back as '?'."""
    tables = _create_source(conn, db)
    target = f"{db}_r"
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    try:
        if method == "stdout":
            conn.execute(f"CREATE DATABASE {quote_ident(target)}")
            stream = dumpcore("dump", db, "--stdout", "-q", *conn_args(server))
            assert stream.returncode == 0, stream.stderr.decode()
            run_client(server, stream.stdout, database=target)
        else:
            out = tmp_path / "d"
            dump_to_directory(server, db, out, DumpOptions(workers=1, chunk_size=2048, statement_size=1024))
            if method == "load.sql":
                conn.execute(f"CREATE DATABASE {quote_ident(target)}")
                run_client(server, stdin_path=out / "scripts" / "load.sql", database=target, cwd=out)
            else:
                r = dumpcore("restore", str(out), "-D", target, "--load-method", method, "--json", *conn_args(server))
                assert r.returncode == 0, r.stderr.decode()
                report = json.loads(r.stdout)
                assert report["proof"] == "proven"
                assert {t["load_method"] for t in report["tables"]} == {method}
                assert "after LOAD DATA" not in r.stderr.decode()
        _assert_same_bytes(conn, db, target, tables)
        assert _hex_rows(conn, target, "keyed")[0x98][0] == "98"
        if method != "stdout":  # several chunks of `keyed`, each proven by its key range of hex literals
            manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
            keyed = next(t for t in manifest["tables"] if t["name"] == "keyed")
            assert len(keyed["chunks"]) > 1 and keyed["chunks"][0]["key_first"] == ["0x00"]
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_verify_against_tells_a_changed_undefined_byte(server, conn, db, tmp_path):
    """0x98 (undefined in cp1251) become '?' live: both read '?' through utf8mb4, so only a
    dump that read the bytes can tell the difference."""
    conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET cp1251)")
    conn.execute(f"INSERT INTO {quote_ident(db)}.t VALUES (1, _cp1251 X'98'), (2, 'x')")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1))
    assert b"(1,0x98)" in (out / "data" / "t.00001.sql").read_bytes()
    assert verify_against(out, server).ok
    conn.execute(f"UPDATE {quote_ident(db)}.t SET a = '?' WHERE id = 1")
    report = verify_against(out, server)
    assert not report.ok and [d.table for d in report.differences] == ["t"]
    proc = dumpcore("verify", str(out), "--against", db, *conn_args(server))
    assert proc.returncode != 0 and "DIFFERS table `t`" in proc.stdout.decode()


def test_an_old_dump_that_wrote_cp1251_as_text_still_verifies_and_restores(server, conn, db, tmp_path):
    """tests/data/old-cp1251-dump was written before this change (its cp1251 columns have
    kind 1, text): it restores exactly as before (proven: the proof reads those columns as
    text, as the dump wrote them) and verifies against the result; a new dump of the
    same table writes them as bytes (kind 2) and verifies too."""
    old = tmp_path / "old"
    shutil.copytree(OLD_DUMP, old)
    kinds = {c["name"]: c["kind"] for t in json.loads((old / "manifest.json").read_text())["tables"]
             for c in t["columns"]}
    assert kinds["k"] == kinds["c"] == kinds["t"] == kinds["s"] == 1
    want = [("A8EBEAE0", "E4EEEC", "CFF0E8E2E5F22C20ECE8F0", "1"), ("B8E6", "61", "F9275C", "2"),
            ("5A65627261", None, "", "3"), ("E0E1E2", "F5", "80B9", "4")]
    targets = []
    try:
        for method in ("upsert", "load-data"):
            target = f"{db}_{method.replace('-', '_')}"
            targets.append(target)
            r = dumpcore("restore", str(old), "-D", target, "--load-method", method, "--json", *conn_args(server))
            assert r.returncode == 0, r.stderr.decode()
            assert json.loads(r.stdout)["proof"] == "proven"
            got = conn.query_text(f"SELECT HEX(k), HEX(c), HEX(t), n FROM {quote_ident(target)}.words ORDER BY n")
            assert got == want
            assert verify_against(old, server, target).ok
        new = tmp_path / "new"
        dump_to_directory(server, targets[0], new, DumpOptions(workers=1))
        new_kinds = {c["name"]: c["kind"] for t in json.loads((new / "manifest.json").read_text())["tables"]
                     for c in t["columns"]}
        assert new_kinds["k"] == new_kinds["c"] == new_kinds["t"] == 2
        assert verify_against(new, server, targets[0]).ok
        assert verify_against(old, server, targets[0]).ok  # the old and the new dump agree on the same rows
    finally:
        for t in targets:
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(t)}")


def test_a_target_column_in_another_charset_is_refused_for_bytes(server, conn, db, tmp_path):
    """The dump's cp1251 bytes would be other characters in a utf8mb4 column (0xD0B8 is
    'и'): the pre-flight refuses before anything is written."""
    conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET cp1251)")
    conn.execute(f"INSERT INTO {quote_ident(db)}.t VALUES (1, _cp1251 X'D0B8')")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1))
    target = f"{db}_u"
    conn.execute(f"CREATE DATABASE {quote_ident(target)}")
    try:
        conn.execute(f"CREATE TABLE {quote_ident(target)}.t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf8mb4)")
        r = dumpcore("restore", str(out), "-D", target, *conn_args(server))
        assert r.returncode != 0
        err = r.stderr.decode()
        assert err.startswith("Error: restore refused before writing anything") and "column `a`" in err
        assert "is utf8mb4: the dump holds this column as its cp1251 bytes" in err
        assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(target)}.t") in ("0", 0)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_typecheck_keeps_bytes_in_their_charset():
    raw = column_type_of({"type": "varchar(10)", "kind": 2, "charset": "cp1251", "collation": "cp1251_general_ci"})
    text = column_type_of({"type": "varchar(10)", "kind": 1, "charset": "cp1251", "collation": "cp1251_general_ci"})
    assert raw.raw and not text.raw
    assert not column_type_of({"type": "varbinary(10)", "kind": 2, "charset": None}).raw
    utf8 = ColumnType("varchar(10)", "utf8mb4", "utf8mb4_general_ci")
    assert fits(raw, utf8) is not None and fits(text, utf8) is None  # an old dump's text converts
    assert fits(raw, ColumnType("varchar(20)", "cp1251", "cp1251_general_ci")) is None


def test_dbcompare_reads_non_utf8_text_as_bytes(conn, db):
    """The helper every round-trip test compares with tells 0x98 from '?' in cp1251."""
    for t, v in (("a", "_cp1251 X'98'"), ("b", "'?'")):
        conn.execute(f"CREATE TABLE {quote_ident(db)}.{t} (id INT PRIMARY KEY, s VARCHAR(3) CHARACTER SET cp1251)")
        conn.execute(f"INSERT INTO {quote_ident(db)}.{t} VALUES (1, {v})")
    assert raw_rows(conn, db, "a") == [(b"1", b"\x98")]
    assert raw_rows(conn, db, "a") != raw_rows(conn, db, "b")


def test_enum_and_set_members_the_definition_cannot_carry_are_named_not_restored_as_question_marks(
        server, conn, db, tmp_path):
    """A member with bytes utf8mb4 has not (cp1251's 0x98, invalid UTF-8 in a binary SET)
    comes out of the server's table definition as '?': the dump names each such member by
    its bytes, on stderr and in the manifest; a member that is '?' itself, and members in
    utf8mb4 or latin1, are not named. The source is left as it was."""
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.m (id INT PRIMARY KEY, e ENUM('x', 0x98, '?') CHARACTER SET cp1251, "
                 "s SET('a', 0xC3FF) CHARACTER SET binary, u ENUM('é', '?') CHARACTER SET utf8mb4, "
                 "l ENUM('ÿ', 'b') CHARACTER SET latin1)")
    conn.execute(f"INSERT INTO {q}.m VALUES (1, 0x98, 0xC3FF, 'é', 'ÿ'), (2, '?', 'a', '?', 'b')")
    before = conn.query_text(f"SHOW CREATE TABLE {q}.m")
    res = dumpcore("dump", db, "-o", str(tmp_path / "d"), "-q", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    warnings = [line for line in res.stderr.decode().splitlines() if line.startswith("Warning: ENUM/SET members")]
    assert len(warnings) == 1 and warnings[0].endswith("`m`.`e` (0x98); `m`.`s` (0xC3FF)"), warnings
    entry = next(t for t in json.loads((tmp_path / "d" / "manifest.json").read_text())["tables"] if t["name"] == "m")
    assert entry["lossy_members"] == {"e": ["0x98"], "s": ["0xC3FF"]}
    assert conn.query_text(f"SHOW CREATE TABLE {q}.m") == before
    assert not conn.query_text("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME = 'dumpcore_members'")
