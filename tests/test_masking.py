"""dump --mask on a real server: keyed, deterministic, type- and length-preserving masking.

Checked on restored copies by SQL: the same value masks the same way in two tables and two
dumps under one secret and otherwise under another; joins across a masked key count the
same rows as on the source; masked unique keys stay unique or the dump is refused.
"""
from __future__ import annotations

import json
import os
from datetime import datetime

import pytest

from clirun import conn_args, dumpcore
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.codec import mask_unique
from dumpcore.codec.masking import MaskCollisionError, MaskKey, _permute, parse_masks
from dumpcore.errors import UsageError
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sample import create_school, school_prisma_schema
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.verify import verify_against

SECRET = b"correct horse battery staple, 2026"
OTHER = b"another secret entirely, 32 bytes!"


@pytest.fixture(scope="module")
def school(server):
    with server.connect() as c:
        create_school(c, "mask_school", scale=0.1)
    yield "mask_school"
    with server.connect() as c:
        c.execute("DROP DATABASE IF EXISTS mask_school")


def _dump_restore(server, conn, tmp_path, source: str, target: str, masks: list[str], secret: bytes = SECRET,
                  name: str = "m", **kw) -> dict:
    out = tmp_path / name
    dump_to_directory(server, source, out, DumpOptions(masks=parse_masks(masks), mask_key=MaskKey(secret), **kw))
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    restore(out, server, RestoreOptions(database=target))  # proven: the fingerprints are of the masked rows
    return read_manifest(out).data


def _col(conn, db: str, sql: str) -> list:
    conn.execute(f"USE {quote_ident(db)}")
    return [r[0] for r in conn.query_text(sql)]


@pytest.fixture
def target(server, db):
    yield f"{db}_t"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(db + '_t')}")
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(db + '_t2')}")


def test_a_masked_key_follows_its_foreign_keys_and_joins_count_the_same(server, conn, tmp_path, school, target):
    m = _dump_restore(server, conn, tmp_path, school, target, ["students.id=hash", "students.email=email"])
    follows = {(c["table"], c["column"]): c.get("follows") for c in m["masking"]["columns"]}
    assert follows[("attendance", "student_id")] == "students.id"
    assert follows[("classes", "head_student_id")] == "students.id"
    joins = ["SELECT COUNT(*) FROM attendance a JOIN students s ON s.id = a.student_id",
             "SELECT COUNT(*) FROM classes c JOIN students s ON s.id = c.head_student_id",
             "SELECT GROUP_CONCAT(n ORDER BY n) FROM (SELECT COUNT(*) n FROM attendance a JOIN students s "
             "ON s.id = a.student_id GROUP BY s.id) x",
             "SELECT COUNT(DISTINCT s.id) FROM students s JOIN attendance a ON a.student_id = s.id "
             "WHERE a.status_id = 2"]
    for q in joins:
        assert _col(conn, target, q) == _col(conn, school, q), q
    # the ids did change, and stayed unique (the primary key held on restore)
    changed = _col(conn, target, "SELECT COUNT(*) FROM students t JOIN mask_school.students s USING (id) "
                                 "WHERE t.email = s.email")
    assert changed == ["0"]
    assert _col(conn, target, "SELECT COUNT(*) FROM students") == _col(conn, school, "SELECT COUNT(*) FROM students")


def test_same_value_same_mask_across_tables_and_dumps_and_not_under_another_secret(server, conn, tmp_path, db,
                                                                                   target):
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.users (id INT PRIMARY KEY, email VARCHAR(80) UNIQUE, phone VARCHAR(20))")
    conn.execute(f"CREATE TABLE {q}.leads (id INT PRIMARY KEY, email VARCHAR(80), note TEXT)")
    values = [(i, f"person{i * 7919 % 1000}@mail{i % 5}.example.org", f"+44 20 {i:04d} {i * 37 % 10000:04d}")
              for i in range(1, 301)]
    conn.execute(f"INSERT INTO {q}.users VALUES " + ",".join(f"({i},'{e}','{p}')" for i, e, p in values))
    conn.execute(f"INSERT INTO {q}.leads VALUES " + ",".join(f"({i + 1000},'{e}','x')" for i, e, _ in values[::3]))
    masks = ["users.email=email", "leads.email=email", "users.phone=phone"]
    _dump_restore(server, conn, tmp_path, db, target, masks, name="a")
    pairs = "SELECT u.email, l.email FROM users u JOIN leads l ON l.id = u.id + 1000 ORDER BY u.id"
    first = conn.query_text(pairs.replace("users u", f"{quote_ident(target)}.users u")
                            .replace("leads l", f"{quote_ident(target)}.leads l"))
    assert len(first) == 100 and all(a == b for a, b in first)  # the same value, the same mask, in two tables
    before = dict(conn.query_text(f"SELECT id, email FROM {quote_ident(target)}.users"))
    # "a day later": other rows changed, a new row; the same secret masks the same values the same way
    conn.execute(f"UPDATE {q}.users SET phone = '+1 555 0100' WHERE id <= 10")
    conn.execute(f"INSERT INTO {q}.users VALUES (999, 'new@mail1.example.org', NULL)")
    _dump_restore(server, conn, tmp_path, db, target + "2", masks, name="b")
    after = dict(conn.query_text(f"SELECT id, email FROM {quote_ident(target + '2')}.users"))
    assert all(after[i] == before[i] for i in before)
    _dump_restore(server, conn, tmp_path, db, target + "2", masks, secret=OTHER, name="c")
    other = dict(conn.query_text(f"SELECT id, email FROM {quote_ident(target + '2')}.users"))
    assert sum(other[i] != before[i] for i in before) >= 0.99 * len(before)
    # length and shape kept; the masked values are not the source's
    src = dict(conn.query_text(f"SELECT id, email FROM {q}.users"))
    for i, e in before.items():
        assert len(e) == len(src[i]) and e.count("@") == 1 and e != src[i]
        assert e.rsplit(".", 1)[1] == "org"


def test_every_rule_keeps_type_and_length(server, conn, tmp_path, db, target):
    q = quote_ident(db)
    conn.execute(f"""CREATE TABLE {q}.people (
        id INT PRIMARY KEY, email VARCHAR(60), work VARCHAR(60), name VARCHAR(12), phone CHAR(20),
        bio TEXT, born DATE, seen DATETIME(3), token CHAR(36), raw BINARY(16), secret VARBINARY(20),
        code VARCHAR(10), score INT, tag VARCHAR(8) NOT NULL, UNIQUE KEY (token))""")
    rows = []
    for i in range(1, 201):
        rows.append(f"({i}, 'user{i}@corp{i % 3}.com', 'w{i}@acme.io', 'Ann{i} Lee', '+1 (555) {i:03d}-0000', "
                    f"'Bio of {i}: likes 42 things.', '2000-01-{i % 28 + 1:02d}', '2024-02-{i % 28 + 1:02d} 10:11:12.345', "
                    f"UUID(), UNHEX(REPLACE(UUID(), '-', '')), UNHEX('{i:04x}ABCD'), 'C{i:05d}', {i * 1000 + 7}, "
                    f"'t{i % 9}')")
    conn.execute(f"INSERT INTO {q}.people VALUES " + ",".join(rows))
    masks = ["people.email=email", "people.work=keep-domain", "people.name=name", "people.phone=phone",
             "people.bio=redact", "people.born=shift-date:10", "people.seen=shift-date:10", "people.token=uuid",
             "people.raw=uuid", "people.secret=hash", "people.code=hash", "people.score=hash",
             "people.tag=constant:T"]
    m = _dump_restore(server, conn, tmp_path, db, target, masks)
    t = quote_ident(target)
    got = {r[0]: r for r in conn.query_text(
        f"SELECT id, email, work, name, phone, bio, born, seen, token, HEX(raw), HEX(secret), code, score, tag "
        f"FROM {t}.people")}
    src = {r[0]: r for r in conn.query_text(
        f"SELECT id, email, work, name, phone, bio, born, seen, token, HEX(raw), HEX(secret), code, score, tag "
        f"FROM {q}.people")}
    assert got.keys() == src.keys()
    for i in src:
        s, g = src[i], got[i]
        assert len(g[1]) == len(s[1]) and g[1] != s[1] and g[1].endswith(".com")  # email
        assert g[2].endswith("@acme.io") and len(g[2]) == len(s[2]) and g[2] != s[2]  # keep-domain
        assert len(g[3]) <= 12 and g[3] != s[3]  # name: fits VARCHAR(12)
        assert len(g[4]) == len(s[4]) and [c for c in g[4] if not c.isdigit()] == [c for c in s[4] if not c.isdigit()]
        assert len(g[5]) == len(s[5]) and not any(c.isalnum() and c != "x" for c in g[5])  # redact
        shift_born = (datetime.fromisoformat(g[6]) - datetime.fromisoformat(s[6])).days
        shift_seen = (datetime.fromisoformat(g[7]) - datetime.fromisoformat(s[7])).days
        assert abs(shift_born) <= 10 and shift_born == shift_seen  # the same shift for a row's dates
        assert g[7][-12:] == s[7][-12:]  # the time of day kept
        assert len(g[8]) == 36 and g[8][14] == "4" and g[8] != s[8]  # uuid (text)
        assert len(g[9]) == 32 and g[9] != s[9]  # uuid (BINARY(16))
        assert len(g[10]) == len(s[10]) and g[10] != s[10]  # hash (VARBINARY): as many bytes
        assert len(g[11]) == len(s[11])  # hash (VARCHAR)
        assert len(g[12]) == len(s[12]) and g[12] != s[12]  # hash (INT): as many digits
        assert g[13] == "T"
    assert len({g[8] for g in got.values()}) == len(got)  # unique stays unique
    assert {c["column"]: c["rule"] for c in m["masking"]["columns"]}["born"] == "shift-date:10"


def test_a_collision_in_a_masked_unique_key_is_refused(server, conn, tmp_path, school):
    out = tmp_path / "collide"
    with pytest.raises(MaskCollisionError, match=r"unique key \(`classes`.`name`\)"):
        dump_to_directory(server, school, out, DumpOptions(masks=parse_masks(["classes.name=redact"]),
                                                           mask_key=MaskKey(SECRET)))
    assert not out.exists()
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(out), "--mask", "classes.name=constant:X")
    assert proc.returncode != 0 and not out.exists()
    assert proc.stderr.decode().strip().splitlines()[-1].startswith("Error: masking makes two rows of `classes`")


def test_the_unique_check_spills_sorted_runs_under_a_small_cap_and_still_finds_a_collision(
        server, conn, tmp_path, db, target, monkeypatch):
    """A test-only cap of 500 digests: the masked unique keys' digests go to disk as sorted
    runs; a dump without a collision restores with its unique keys, one whose only two
    colliding rows are 5,999 rows apart (in different runs) is refused."""
    monkeypatch.setattr(mask_unique, "MEMORY_BYTES", 16 * 500)
    spills = []
    spill = mask_unique.DigestSet._spill
    monkeypatch.setattr(mask_unique.DigestSet, "_spill", lambda self: (spills.append(len(self._buf)), spill(self)))
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.u (id INT PRIMARY KEY, email VARCHAR(80) NOT NULL UNIQUE, "
                 "code VARCHAR(20) UNIQUE)")
    # redact keeps punctuation: each code's pattern of dots and dashes is its own, letters become x
    codes = ["k" + f"{i:b}".replace("0", ".").replace("1", "-") for i in range(1, 6001)]
    conn.execute(f"INSERT INTO {q}.u VALUES " + ",".join(f"({i}, 'user{i}@mail{i % 7}.example.org', '{c}')"
                                                         for i, c in enumerate(codes, 1)))
    masks = ["u.email=email", "u.code=redact"]
    # small statements: the encoder hands over its digests every ~60 rows
    _dump_restore(server, conn, tmp_path, db, target, masks, name="spilled", statement_size=4096)
    assert len(spills) >= 10 and max(spills) <= 16 * 600
    assert _col(conn, target, "SELECT COUNT(*) FROM u") == ["6000"]
    assert conn.query_text(f"SELECT COUNT(DISTINCT email), COUNT(DISTINCT code) FROM {quote_ident(target)}.u") == \
        [("6000", "6000")]
    conn.execute(f"UPDATE {q}.u SET code = 'q-' WHERE id = 6000")  # redacts as row 1's 'k-' does
    spills.clear()
    out = tmp_path / "collide"
    with pytest.raises(MaskCollisionError, match=r"unique key \(`u`.`code`\)"):
        dump_to_directory(server, db, out, DumpOptions(masks=parse_masks(masks), mask_key=MaskKey(SECRET),
                                                       statement_size=4096))
    assert len(spills) >= 10 and not out.exists()


def test_the_secret_is_written_nowhere_and_verify_compares_the_unmasked_columns(server, conn, tmp_path, school):
    key_file = tmp_path / "mask.key"
    key_file.write_bytes(SECRET + b"\n")
    out = tmp_path / "dump"
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(out), "--mask", "students.email=email",
                    "--mask", "students.birth_date=shift-date:-30", "--mask-key-file", str(key_file), "--json")
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    for f in out.rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_bytes() and SECRET.hex().encode() not in f.read_bytes(), f
    m = read_manifest(out).data
    assert m["masked"] is True and len(m["masking"]["key_id"]) == 16
    assert {e["name"]: e.get("masked", {}).get("columns") for e in m["tables"]}["students"] == \
        {"email": "email", "birth_date": "shift-date:30"}
    # same secret from the environment: the same key id
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(tmp_path / "env"), "--mask", "students.email=email",
                    env={"DUMPCORE_MASK_KEY": SECRET.decode()})
    assert proc.returncode == 0, proc.stderr
    assert read_manifest(tmp_path / "env").data["masking"]["key_id"] == m["masking"]["key_id"]
    report = verify_against(out, server)
    assert report.ok and "masked" in report.notes[0]
    proc = dumpcore("verify", str(out), *conn_args(server), "--against", school)
    assert proc.returncode == 0 and b"are not compared" in proc.stdout
    conn.execute("UPDATE mask_school.students SET first_name = CONCAT(first_name, '!') WHERE id = 3")
    try:
        report = verify_against(out, server)
        assert [d.table for d in report.differences] == ["students"]
    finally:
        conn.execute("UPDATE mask_school.students SET first_name = LEFT(first_name, CHAR_LENGTH(first_name) - 1) "
                     "WHERE id = 3")


@pytest.mark.parametrize("args, message", [
    (["--mask", "students.email=email"], "masking needs a secret"),
    (["--mask", "students.email=scramble", "--mask-key-file", "KEY"], "unknown masking rule"),
    (["--mask", "students.nope=hash", "--mask-key-file", "KEY"], "has no column `nope`"),
    (["--mask", "attendance.student_id=hash", "--mask-key-file", "KEY"], "which is not masked"),
    (["--mask", "students.email=null", "--mask-key-file", "KEY"], "the column is NOT NULL"),
    (["--mask", "students.email", "--mask-key-file", "KEY"], "is not TABLE.COLUMN=RULE"),
    (["--mask", "students.email=hash", "--mask-key-file", "SHORT"], "shorter than 16 bytes"),
    (["--mask", "students.email=hash", "--mask-key-file", "KEY", "--annotate"], "would write values"),
])
def test_masking_mistakes_are_one_line_errors(server, school, tmp_path, args, message):
    (tmp_path / "KEY").write_bytes(SECRET)
    (tmp_path / "SHORT").write_bytes(b"short")
    args = [str(tmp_path / a) if a in ("KEY", "SHORT") else a for a in args]
    out = tmp_path / "bad"
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(out), *args, env={"DUMPCORE_MASK_KEY": ""})
    assert proc.returncode != 0
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert SECRET.decode() not in lines[0]
    assert not out.exists()


def test_with_prisma_a_model_field_names_the_column(server, school, tmp_path):
    out = tmp_path / "prisma"
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(out), "-q", "--prisma",
                    str(school_prisma_schema()), "--mask", "Student.email=email",
                    env={"DUMPCORE_MASK_KEY": SECRET.decode()})
    assert proc.returncode == 0, proc.stderr
    cols = {(c["table"], c["column"]) for c in read_manifest(out).data["masking"]["columns"]}
    assert cols == {("students", "email")}
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(tmp_path / "p2"), "-q", "--prisma",
                    str(school_prisma_schema()), "--mask", "Class.headStudentId=hash",
                    env={"DUMPCORE_MASK_KEY": SECRET.decode()})
    assert proc.returncode != 0 and b"classes.head_student_id: it references `students`.`id`" in proc.stderr


def test_mask_file_and_repr_hide_nothing_they_should_not(tmp_path):
    f = tmp_path / "rules"
    f.write_text("# rules\nusers.email = email\n\nusers.born=shift-date:+7  # a week\n")
    rules = parse_masks(["users.name=name"], [f])
    assert {k: v.describe() for k, v in rules.items()} == {"users.email": "email", "users.born": "shift-date:7",
                                                          "users.name": "name"}
    assert SECRET.decode() not in repr(MaskKey(SECRET))
    with pytest.raises(UsageError):
        parse_masks(["users.born=shift-date:soon"])


@pytest.mark.parametrize("n", list(range(1, 130)) + [900, 9000, 4294967295 - 999999999])
def test_the_integer_permutation_is_a_bijection(n):
    key = MaskKey(SECRET)
    if n > 10000:
        xs = [0, 1, n // 2, n - 2, n - 1]
        assert all(0 <= _permute(key, b"t", x, n) < n for x in xs)
        assert len({_permute(key, b"t", x, n) for x in xs}) == len(xs)
        return
    assert sorted(_permute(key, b"t", x, n) for x in range(n)) == list(range(n))
