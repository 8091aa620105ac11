"""`dump --annotate` and `dump --stats`: readable dumps that restore exactly like plain ones."""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from clirun import conn_args, dumpcore
from conftest import run_client
from dbcompare import raw_rows, table_names
from dumpcore.dump.annotate import safe_comment
from dumpcore.dump.chunks import split_chunk_statements, split_statement_rows, tuple_end
from dumpcore.connect.connection import quote_ident
from dumpcore.store.manifest import read_manifest
from dumpcore.sandbox.sample import create_school

ROW_SPLITS = [
    # (statement body, rows expected)
    (b"(1,'a'),\n(2,'b')", [b"(1,'a')", b"(2,'b')"]),
    (b"(1,'a'), -- X: y\n(2,'b') -- X: z", [b"(1,'a')", b"(2,'b')"]),
    (b"(1,'it''s ) -- no'), -- A: )(\n(2,'\\') -- q') -- B: 'x", [b"(1,'it''s ) -- no')", b"(2,'\\') -- q')"]),
    (b"(1,0xFF00,NULL) -- only one", [b"(1,0xFF00,NULL)"]),
    (b"(1,'a -- b')", [b"(1,'a -- b')"]),
]


@pytest.mark.parametrize("body,rows", ROW_SPLITS)
def test_split_rows_drops_annotations(body, rows):
    for tail in (b"\nON DUPLICATE KEY UPDATE `b`=VALUES(`b`)", b""):
        head = b"INSERT INTO `t` (`a`,`b`) VALUES\n"
        h, got, t = split_statement_rows(head + body + (b"\n" if not tail and b" -- " in body else b"") + tail)
        assert (h, got, t) == (head, rows, tail)


def test_tuple_end_and_safe_comment():
    assert tuple_end(b"(1,'a)b'), -- c") == len(b"(1,'a)b')")
    assert safe_comment("a\nb\r\x00c */ d\u2028e") == b"a b  c * / d e"


def _school_dumps(server, db, tmp_path, *extra):
    create_school_conn = server.connect()
    try:
        counts = create_school(create_school_conn, db, scale=0.25)
    finally:
        create_school_conn.close()
    plain, annotated = tmp_path / "plain", tmp_path / "annotated"
    small = ["--statement-size", "16KiB", "--chunk-size", "96KiB", "--quiet"]
    proc = dumpcore("dump", db, "-o", str(plain), *small, *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    proc = dumpcore("dump", db, "-o", str(annotated), "--annotate", "--stats", "attendance.status_id",
                    "--stats", "students.class_id", *extra, "--statement-size", "16KiB", "--chunk-size", "96KiB",
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    return counts, plain, annotated, proc.stderr.decode()


def _restored_equal(conn, source: str, target: str) -> None:
    assert table_names(conn, target) == table_names(conn, source)
    for t in table_names(conn, source):
        assert raw_rows(conn, target, t) == raw_rows(conn, source, t), t


def test_annotated_school_dump_restores_exactly_three_ways(server, db, tmp_path, conn):
    counts, plain, annotated, summary = _school_dumps(server, db, tmp_path)
    mp, ma = read_manifest(plain), read_manifest(annotated)
    for t in counts:
        a, b = mp.table(t), ma.table(t)
        assert a["rows"] == b["rows"] == counts[t], t
        fp = lambda e: sum(int(c["fingerprint"], 16) for c in e["chunks"]) & (2**64 - 1)  # noqa: E731
        assert fp(a) == fp(b), t  # same rows, same content fingerprint
    # several statements and chunks, every row line of a related table annotated
    att = ma.table("attendance")
    assert len(att["chunks"]) > 1
    data = b"".join((annotated / c["file"]).read_bytes() for c in att["chunks"])
    lines = [ln for ln in data.split(b"\n") if ln.startswith(b"(")]
    assert len(lines) == counts["attendance"]
    assert all(re.search(rb"\),? -- Student: .+ \| Lecture: .+ \| Status: (present|absent|late|excused)$", ln)
               for ln in lines)
    assert data.count(b"\nINSERT INTO ") + 1 > len(att["chunks"])  # more statements than chunks
    # the first row names what the source says
    email, room, code = conn.query_text(
        f"SELECT s.email, l.room, st.code FROM {quote_ident(db)}.attendance a JOIN {quote_ident(db)}.students s "
        f"ON s.id = a.student_id JOIN {quote_ident(db)}.lectures l ON l.id = a.lecture_id JOIN "
        f"{quote_ident(db)}.attendance_statuses st ON st.id = a.status_id ORDER BY a.id LIMIT 1")[0]
    assert lines[0].endswith(f"-- Student: {email} | Lecture: {room} | Status: {code}".encode())
    # labels fetched per batch and referenced table, never per row
    batches = -(-counts["attendance"] // 5000)
    assert ma.data["annotate"]["label_queries"] <= sum(
        -(-counts[t] // 5000) * len(set(p for p in ma.table(t)["parents"])) for t in counts) + batches
    # verify: hashes, and the live database against the annotated dump
    assert dumpcore("verify", str(annotated)).returncode == 0
    proc = dumpcore("verify", str(annotated), "--against", db, *conn_args(server))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    # 1) dumpcore restore  2) dumpcore cat | mariadb  3) mariadb < scripts/load.sql
    targets = [f"{db}_r", f"{db}_c", f"{db}_l"]
    try:
        proc = dumpcore("restore", str(annotated), "-D", targets[0], "--json", *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        report = json.loads(proc.stdout)
        # the comments do not push any chunk off LOAD DATA onto the upserts
        assert not [w for w in report["warnings"] if "after LOAD DATA" in w], report["warnings"]
        assert {t["load_method"] for t in report["tables"]} == {"load-data"}  # the harness server allows it
        _restored_equal(conn, db, targets[0])
        proc = dumpcore("restore", str(annotated), "-D", targets[0], "--cleanup", "--load-method", "upsert", "-q",
                        *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        _restored_equal(conn, db, targets[0])
        for name in targets[1:]:
            conn.execute(f"CREATE DATABASE {quote_ident(name)}")
        stream = dumpcore("cat", str(annotated)).stdout
        run_client(server, stream, database=targets[1])
        _restored_equal(conn, db, targets[1])
        run_client(server, stdin_path=annotated / "scripts" / "load.sql", database=targets[2], cwd=annotated)
        _restored_equal(conn, db, targets[2])
    finally:
        for name in targets:
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
    # --stats equals GROUP BY on the source, in the summary and the manifest
    expected = {str(k): int(n) for k, n in conn.query_text(
        f"SELECT status_id, COUNT(*) FROM {quote_ident(db)}.attendance GROUP BY status_id")}
    stats = {(s["table"], s["column"]): s for s in ma.data["stats"]}
    got = stats[("attendance", "status_id")]
    assert {v["value"]: v["count"] for v in got["values"]} == expected
    assert {v["value"]: v["label"] for v in got["values"]} == {"1": "present", "2": "absent", "3": "late", "4": "excused"}
    assert got["references"] == "attendance_statuses.id"
    assert sum(v["count"] for v in stats[("students", "class_id")]["values"]) == counts["students"]
    assert "stats attendance.status_id -> attendance_statuses.id" in summary
    assert re.search(r"\n\s+1\s+[\d,]+\s+present\n", summary)


def test_label_override_stream_and_unsafe_labels(server, db, tmp_path, conn):
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("CREATE TABLE parent (a INT, b INT, name VARCHAR(50) NOT NULL, PRIMARY KEY (a, b))")
    conn.execute("CREATE TABLE child (id INT PRIMARY KEY, a INT, b INT, note VARCHAR(20), "
                 "FOREIGN KEY (a, b) REFERENCES parent (a, b))")
    conn.execute("CREATE TABLE log (a INT, b INT, what VARCHAR(20), FOREIGN KEY (a, b) REFERENCES parent (a, b))")
    conn.execute("INSERT INTO parent VALUES (1, 1, 'line\\nbreak */ and -- dashes'), (1, 2, 'é ''quoted'' \\\\ x'), "
                 "(2, 1, 'plain')")
    conn.execute("INSERT INTO child VALUES (1, 1, 1, 'x -- not a comment'), (2, 1, 2, ''), (3, NULL, NULL, NULL), "
                 "(4, 2, 1, ')'), (5, 2, 1, '\\'')")
    conn.execute("INSERT INTO log VALUES (1, 1, 'a'), (1, 1, 'a'), (2, 1, NULL)")
    out = tmp_path / "d"
    proc = dumpcore("dump", db, "-o", str(out), "--annotate", "--label", "parent=name", "--quiet",
                    "--stats", "child.note", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    # --label also names the values of --stats on a key column
    conn.execute("CREATE TABLE kid (id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES child (id))")
    conn.execute("INSERT INTO kid VALUES (1, 1), (2, 1), (3, 4)")
    proc = dumpcore("dump", db, "kid", "child", "parent", "-o", str(tmp_path / "k"), "--label", "child=note,id",
                    "--stats", "kid.cid", "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    kid = json.loads(proc.stdout)["stats"][0]
    assert [(v["value"], v["count"], v["label"]) for v in kid["values"]] == [("1", 2, "x -- not a comment 1"),
                                                                              ("4", 1, ") 4")]
    conn.execute("DROP TABLE kid")
    text = b"".join((out / c["file"]).read_bytes() for c in read_manifest(out).table("child")["chunks"])
    assert b"-- Parent: line break * / and -- dashes\n" in text and b"-- Parent: NULL\n" in text
    keyless = b"".join((out / c["file"]).read_bytes() for c in read_manifest(out).table("log")["chunks"])
    assert keyless.endswith(b"-- Parent: plain\n;\n")  # a plain INSERT's ';' on its own line
    # every statement still splits into its rows
    for stmt in split_chunk_statements(text + keyless):
        assert len(split_statement_rows(stmt)[1]) in (5, 3)
    target = f"{db}_s"
    try:
        conn.execute(f"CREATE DATABASE {quote_ident(target)}")
        stream = dumpcore("dump", db, "--stdout", "--annotate", "--quiet", *conn_args(server)).stdout
        assert b" -- Parent: " in stream
        run_client(server, stream, database=target)
        _restored_equal(conn, db, target)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    bad = dumpcore("dump", db, "-o", str(tmp_path / "e"), "--annotate", "--label", "parent=nope", *conn_args(server))
    assert bad.returncode == 2 and bad.stderr.decode().startswith("Error: --label 'parent=nope': table `parent` has no")
    bad = dumpcore("dump", db, "-o", str(tmp_path / "f"), "--stats", "child", *conn_args(server))
    assert bad.returncode == 2 and "expected TABLE.COLUMN" in bad.stderr.decode()
    bad = dumpcore("dump", db, "-o", str(tmp_path / "g"), "--stats", "child.note", "--exclude", "child",
                   *conn_args(server))
    assert bad.returncode == 2 and "table `child` is not dumped" in bad.stderr.decode()
    bad = dumpcore("dump", db, "-o", str(tmp_path / "h"), "--annotate", "--workers", "2", *conn_args(server))
    assert bad.returncode == 2 and bad.stderr.decode().strip().endswith("--annotate is written by one worker (drop --workers)")
    assert not (tmp_path / "g").exists() and not (tmp_path / "h").exists()


def test_annotated_restore_rejects_single_rows(server, db, tmp_path, conn):
    """The retry path splits annotated statements into rows: one bad row is rejected alone."""
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE)")
    conn.execute("CREATE TABLE c (id INT PRIMARY KEY, p_id INT, v VARCHAR(20), FOREIGN KEY (p_id) REFERENCES p (id))")
    conn.execute("INSERT INTO p VALUES (1, 'one'), (2, 'two')")
    conn.execute("INSERT INTO c VALUES " + ",".join(f"({i}, {1 + i % 2}, 'v{i}')" for i in range(1, 41)))
    out = tmp_path / "d"
    assert dumpcore("dump", db, "-o", str(out), "--annotate", "--compress", "zstd", "-q",
                    *conn_args(server)).returncode == 0
    assert all(c["file"].endswith(".sql.zst") for c in read_manifest(out).table("c")["chunks"])
    target = f"{db}_t"
    try:
        conn.execute(f"CREATE DATABASE {quote_ident(target)}")
        conn.execute(f"CREATE TABLE {quote_ident(target)}.c (id INT PRIMARY KEY, p_id INT, v VARCHAR(20), "
                     "CHECK (id <> 17))")
        proc = dumpcore("restore", str(out), "-D", target, "--json", *conn_args(server))
        assert proc.returncode == 1
        rows = conn.query_text(f"SELECT COUNT(*) FROM {quote_ident(target)}.c")[0][0]
        assert rows == "39"
        rejects = list(tmp_path.rglob("c.sql"))  # the rejects file, under the dump's state directory
        assert len(rejects) == 1, "rejected row not written"
        body = rejects[0].read_bytes()
        assert body.count(b"INSERT INTO") == 1 and b"(17,2,'v17')" in body
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
