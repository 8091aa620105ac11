"""Hostile input: crafted manifests and chunks (re-hashed, so only the checks catch them),
symlinks, and identifiers and values crafted as SQL injection. Refused before any write,
one `Error:` line, never a traceback; nothing written outside the dump and state dirs."""
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database, checksum, table_names
from dumpcore.connect.connection import quote_ident, quote_string
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import DumpcoreError
from dumpcore.store.hashing import hash_file
from dumpcore.store.manifest import write_manifest
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.verify.verify import verify_path
from test_safety import make_source


@pytest.fixture(scope="module")
def small_dump(server, tmp_path_factory):
    name = "hostile_src"
    with server.connect() as c:
        make_source(c, name, rows=3000)
    out = tmp_path_factory.mktemp("hostile") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=32 << 10, statement_size=8 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def _manifest(d: Path) -> dict:
    return json.loads((d / "manifest.json").read_text())


def _resign(d: Path, data: dict) -> None:
    """Write the manifest with a correct self-hash, as an attacker can."""
    write_manifest(d, data)


def _items(data: dict) -> dict:
    return next(t for t in data["tables"] if t["name"] == "items")


def _rehash_chunk(d: Path, data: dict, chunk: dict, content: bytes) -> None:
    (d / chunk["file"]).write_bytes(content)
    chunk["xxh3_128"], chunk["bytes"] = hash_file(d / chunk["file"])[0], len(content)


def m_wrong_type(d, data):
    _items(data)["rows"] = "many"
    return "rows is not a count"


def m_tables_not_list(d, data):
    data["tables"] = {"items": 1}
    return "`tables` is not a list"


def m_dotdot(d, data):
    _items(data)["chunks"][0]["file"] = "data/../../../../etc/passwd"
    return "is not a plain relative path inside the dump"


def m_absolute(d, data):
    _items(data)["chunks"][0]["file"] = "/etc/passwd"
    return "is not a plain relative path inside the dump"


def m_duplicate_chunk(d, data):
    chunks = _items(data)["chunks"]
    chunks[1]["file"] = chunks[0]["file"]
    return "is listed twice"


def m_enormous(d, data):
    _items(data)["chunks"][0]["rows"] = 10**40
    return "rows is not a count"


def m_missing_hash(d, data):
    del _items(data)["chunks"][0]["xxh3_128"]
    return "xxh3_128 is not 32 hex digits"


def m_other_file_outside(d, data):
    data["other_files"].append({"file": "../secret.txt", "bytes": 1, "xxh3_128": "0" * 32})
    return "is not a plain relative path inside the dump"


def m_symlinked_chunk(d, data):
    chunk = _items(data)["chunks"][0]
    outside = d.parent / "elsewhere.sql"
    shutil.copy(d / chunk["file"], outside)
    (d / chunk["file"]).unlink()
    os.symlink(outside, d / chunk["file"])
    return "is (or passes through) a symlink"


def m_statement_for_another_table(d, data):
    chunk = _items(data)["chunks"][0]
    content = (d / chunk["file"]).read_bytes()
    evil = b"INSERT INTO `notes` (`at`,`body`) VALUES\n('2000-01-01 00:00:00','planted');\n"
    _rehash_chunk(d, data, chunk, evil + content)
    return f"{chunk['file']}: a statement is not an INSERT of table `items`"


def m_hidden_second_statement(d, data):
    chunk = _items(data)["chunks"][0]
    content = (d / chunk["file"]).read_bytes()
    cut = content.index(b"),\n(") + 1
    _rehash_chunk(d, data, chunk, content[:cut] + b";\nDROP TABLE `notes`" + content[cut:])
    return "holds more than the rows of one INSERT"


def m_changed_upsert_clause(d, data):
    chunk = _items(data)["chunks"][0]
    content = (d / chunk["file"]).read_bytes()
    _rehash_chunk(d, data, chunk, content.replace(b"`name`=VALUES(`name`)", b"`name`='pwned'", 1))
    return "is not an INSERT of table `items`"


def m_garbage_chunk(d, data):  # not re-hashed: the hash check names it
    chunk = _items(data)["chunks"][0]
    (d / chunk["file"]).write_bytes(os.urandom(500))
    return f"{chunk['file']}"


def m_truncated_statement(d, data):
    chunk = _items(data)["chunks"][0]
    content = (d / chunk["file"]).read_bytes()
    _rehash_chunk(d, data, chunk, content[: len(content) // 2])
    return "is not an INSERT of table `items`"


def m_column_charset_not_a_string(d, data):
    _items(data)["columns"][0]["charset"] = ["utf8mb4"]  # the pre-flight's type check reads it
    return "charset is not a string"


def m_rows_do_not_add_up(d, data):
    _items(data)["rows"] += 5
    return "is not the sum of its chunks' rows"


CONTENT_ONLY = {"m_statement_for_another_table", "m_hidden_second_statement", "m_changed_upsert_clause",
                "m_truncated_statement"}
MUTATIONS = [m_wrong_type, m_tables_not_list, m_dotdot, m_absolute, m_duplicate_chunk, m_enormous, m_missing_hash,
             m_other_file_outside, m_symlinked_chunk, m_statement_for_another_table, m_hidden_second_statement,
             m_changed_upsert_clause, m_garbage_chunk, m_truncated_statement, m_rows_do_not_add_up,
             m_column_charset_not_a_string]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=[m.__name__[2:] for m in MUTATIONS])
def test_crafted_dump_is_refused_before_any_write_without_traceback(server, conn, small_dump, tmp_path, db, mutate):
    _, out = small_dump
    d = tmp_path / "dump"
    shutil.copytree(out, d)
    data = _manifest(d)
    expected = mutate(d, data)
    if mutate is not m_garbage_chunk:
        _resign(d, data)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    content_only = mutate.__name__ in CONTENT_ONLY  # the hashes match: only restore's statement check sees these
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode != 0 and "Traceback" not in err, err
    assert err.startswith("Error: ") and len(err.splitlines()) == 1, err
    assert expected in err, err
    assert table_names(conn, db) == [], "something was written"
    if not content_only and mutate is not m_garbage_chunk:
        with pytest.raises(DumpcoreError, match=re.escape(expected)):  # the manifest is checked all the same
            restore(d, server, RestoreOptions(database=db, verify=False))
        assert table_names(conn, db) == []
    assert verify_path(d).ok == content_only
    assert not (d / "journal").exists() or not any((d / "journal").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before


def test_symlinked_state_directory_in_a_dump_is_refused(server, conn, small_dump, tmp_path, db):
    _, out = small_dump
    d = tmp_path / "dump"
    shutil.copytree(out, d)
    target = tmp_path / "victim"
    target.mkdir()
    os.symlink(target, d / "journal")
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and err == (f"Error: {d / 'journal'} is a symlink or not a directory; restore state is "
                                           "written only into plain directories; remove it, or give another place "
                                           "with --state-dir DIR")
    assert list(target.iterdir()) == [] and table_names(conn, db) == []


NASTY_NAMES = ["x`; DROP TABLE victim; --", "a'b\"c\\d", "semi;colon\nnewline", "-- comment", "/* c */ t", "%2F@..%", "a;\n;a", "b\nINSERT INTO b"]
NASTY_VALUES = ["'); DROP TABLE victim; --", "\\'; SELECT 1; --", "\\", "'", "\"", "\x00\x1a\r\n\t", "*/", "/*!50000 x */",
                "\\N", "NULL", "$$", "`", ";\nINSERT INTO victim VALUES (2);\n", "\\\\';", "\u2028\u00e9\U0001F600"]


def test_identifiers_and_values_crafted_as_sql_injection_round_trip_as_data(server, conn, tmp_path, db):
    src = f"{db}_src"
    q = quote_ident(src)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
    try:
        conn.execute(f"CREATE TABLE {q}.victim (id INT PRIMARY KEY)")
        conn.execute(f"INSERT INTO {q}.victim VALUES (1)")
        for i, name in enumerate(NASTY_NAMES):
            col = name[::-1] + "c"
            conn.execute(f"CREATE TABLE {q}.{quote_ident(name)} (id INT PRIMARY KEY, {quote_ident(col)} TEXT, "
                         f"b VARBINARY(100)) DEFAULT CHARSET=utf8mb4")
            for j, value in enumerate(NASTY_VALUES):
                conn.execute(f"INSERT INTO {q}.{quote_ident(name)} VALUES ({j}, {quote_string(value)}, "
                             f"X'{value.encode().hex()}')")
        out = tmp_path / "dump"
        assert dumpcore("dump", src, "-o", str(out), "-q", *conn_args(server)).returncode == 0
        res = dumpcore("restore", str(out), "-D", db, "--verify", *conn_args(server))
        assert res.returncode == 0, res.stderr.decode()
        assert assert_same_database(conn, src, db) == 1 + len(NASTY_NAMES) * len(NASTY_VALUES)
        assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.victim") == "1"
        assert conn.scalar(f"SELECT COUNT(*) FROM {q}.victim") == "1"
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {q}")


def test_whole_server_dump_with_a_crafted_chunk_is_refused_before_any_write(server, conn, small_dump, tmp_path):
    name, _ = small_dump
    d = tmp_path / "server"
    assert dumpcore("dump", "-B", name, "-o", str(d), "-q", *conn_args(server)).returncode == 0
    top = _manifest(d)
    entry = top["databases"][0]
    sub = d / entry["directory"]
    data = _manifest(sub)
    expected = m_statement_for_another_table(sub, data)
    _resign(sub, data)
    entry["manifest_xxh3_128"] = hash_file(sub / "manifest.json")[0]
    _resign(d, top)
    assert verify_path(sub).ok  # every hash matches: only the statement check can tell
    before = checksum(conn, name)
    res = dumpcore("restore", str(d), *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and err.startswith("Error: ") and len(err.splitlines()) == 1, err
    assert expected in err
    assert checksum(conn, name) == before
