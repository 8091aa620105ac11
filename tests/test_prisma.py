"""The Prisma schema reader (table-driven) and `--prisma` on plan, dump and restore."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import prisma_fixture as pf
from clirun import conn_args, dumpcore
from conftest import REPO, run_client
from dbcompare import raw_rows, table_names
from dumpcore.dump.chunks import split_chunk_statements
from dumpcore.connect.connection import quote_ident
from dumpcore.store.manifest import read_manifest
from dumpcore.schema.ordering import plan_load
from dumpcore.schema.prisma import (Call, PrismaSyntaxError, Ref, load_prisma, parse_text, resolve, restore_plan,
                                    to_schema)
from dumpcore.schema.scripts import cleanup_statements
from dumpcore.sandbox.sample import SCHOOL_DDL, create_school, recreate_database

HEAD = 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n'


def parsed(body: str):
    s = parse_text(HEAD + body, "t.prisma")
    resolve(s)
    return s


def rel(s, model: str, field: str):
    return next(r for r in s.relations if r.model == model and r.field == field)


# (construct, schema text after the datasource, check on the parsed schema)
CASES = [
    ("datasource provider and default relationMode", "", lambda s: (s.provider, s.relation_mode) == ("mysql", "foreignKeys")),
    ("relationMode prisma", 'datasource x {\n provider = "mysql"\n relationMode = "prisma"\n}\n',
     lambda s: s.relation_mode == "prisma"),
    ("generator block", 'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["a", "b"]\n}\n',
     lambda s: s.generators[0].name == "client" and s.generators[0].values["previewFeatures"] == ["a", "b"]),
    ("types and modifiers", "model A {\n id Int @id\n b String?\n c Json[]\n d Unsupported(\"point\")?\n}\n",
     lambda s: [(f.type, f.optional, f.is_list) for f in s.models["A"].fields]
     == [("Int", False, False), ("String", True, False), ("Json", False, True), ("Unsupported", True, False)]),
    ("@id", "model A {\n id Int @id\n}\n", lambda s: to_schema(s).tables["A"].primary_key == ("id",)),
    ("@@id composite", "model A {\n x Int\n y String\n @@id([x, y])\n}\n",
     lambda s: to_schema(s).tables["A"].primary_key == ("x", "y")),
    ("@@id with fields: and name:", "model A {\n x Int\n y Int\n @@id(fields: [x, y], name: \"xy\")\n}\n",
     lambda s: to_schema(s).tables["A"].primary_key == ("x", "y")),
    ("@unique", "model A {\n id Int @id\n e String @unique\n}\n", lambda s: ("e",) in to_schema(s).tables["A"].unique_keys),
    ("@@unique", "model A {\n id Int @id\n a Int\n b Int\n @@unique([a, b], map: \"ab\")\n}\n",
     lambda s: ("a", "b") in to_schema(s).tables["A"].unique_keys),
    ("@@index with sort", "model A {\n id Int @id\n a Int\n @@index([a(sort: Desc), id], map: \"ix\")\n}\n",
     lambda s: s.models["A"].attribute("index").arg("map") == "ix"),
    ("@@map and @map", "model A {\n id Int @id @map(\"a_id\")\n name String @map(name: \"full_name\")\n @@map(\"as\")\n}\n",
     lambda s: [c.name for c in to_schema(s).tables["as"].columns] == ["a_id", "full_name"]),
    ("@default nested calls", "model A {\n id Int @id @default(autoincrement())\n t DateTime @default(now())\n"
     " u String @default(uuid())\n g String @default(dbgenerated(\"(uuid())\"))\n}\n",
     lambda s: [f.attribute("default").args[0].value.name for f in s.models["A"].fields] == ["autoincrement", "now", "uuid",
                                                                                             "dbgenerated"]
     and s.models["A"].field("g").attribute("default").args[0].value.args[0].value == "(uuid())"),
    ("native type @db.VarChar(255)", "model A {\n id Int @id @db.UnsignedInt\n s String @db.VarChar(255)\n"
     " d Decimal @db.Decimal(10, 2)\n}\n",
     lambda s: [c.column_type for c in to_schema(s).tables["A"].columns] == ["int unsigned", "varchar(255)", "decimal(10,2)"]),
    ("enum with @map and @@map", "enum Color {\n RED @map(\"red\")\n GREEN\n @@map(\"colors\")\n}\n"
     "model A {\n id Int @id\n c Color\n}\n",
     lambda s: s.enums["Color"].db_name == "colors" and [v.db_value for v in s.enums["Color"].values] == ["red", "GREEN"]
     and to_schema(s).tables["A"].column("c").column_type == "enum('red','GREEN')"),
    ("@relation with every argument", "model P {\n id Int @id\n cs C[] @relation(\"PC\")\n}\n"
     "model C {\n id Int @id\n pId Int @map(\"p_id\")\n p P @relation(\"PC\", fields: [pId], references: [id], "
     "onDelete: Cascade, onUpdate: Restrict, map: \"c_p_fk\")\n}\n",
     lambda s: (lambda r: (r.name, r.columns, r.ref_table, r.on_delete, r.on_update, r.fk_name)
                == ("PC", ("p_id",), "P", "Cascade", "Restrict", "c_p_fk"))(rel(s, "C", "p"))),
    ("self-relation", "model N {\n id Int @id\n parentId Int?\n parent N? @relation(\"Tree\", fields: [parentId], "
     "references: [id])\n children N[] @relation(\"Tree\")\n}\n",
     lambda s: rel(s, "N", "parent").ref_table == "N" and rel(s, "N", "parent").optional and len(s.relations) == 1),
    ("two named relations between the same models", "model U {\n id Int @id\n a P[] @relation(\"Author\")\n"
     " e P[] @relation(\"Editor\")\n}\nmodel P {\n id Int @id\n aId Int\n eId Int\n"
     " a U @relation(\"Author\", fields: [aId], references: [id])\n e U @relation(\"Editor\", fields: [eId], references: [id])\n}\n",
     lambda s: sorted((r.name, r.columns) for r in s.relations) == [("Author", ("aId",)), ("Editor", ("eId",))]),
    ("one-to-one", "model U {\n id Int @id\n p P?\n}\nmodel P {\n id Int @id\n uId Int @unique\n"
     " u U @relation(fields: [uId], references: [id])\n}\n", lambda s: rel(s, "P", "u").kind == "one-to-one"),
    ("implicit many-to-many _AToB (names sorted)", "model Tag {\n id Int @id\n posts Post[]\n}\n"
     "model Post {\n id Int @id\n tags Tag[]\n}\n",
     lambda s: list(s.join_tables) == ["_PostToTag"] and [(r.columns, r.ref_table) for r in s.join_tables["_PostToTag"]]
     == [(("A",), "Post"), (("B",), "Tag")]),
    ("named many-to-many _Name", "model U {\n id Int @id\n f U[] @relation(\"Friends\")\n g U[] @relation(\"Friends\")\n}\n",
     lambda s: list(s.join_tables) == ["_Friends"] and "_Friends" in to_schema(s).tables),
    ("view and type blocks skipped with a note", "view V {\n id Int @unique\n}\ntype T {\n a String\n}\n",
     lambda s: s.views == {"V"} and s.composite_types == {"T"} and len(s.notes) == 2 and not s.models),
    ("/// doc comments", "/// the model\nmodel A {\n /// the key\n id Int @id\n}\n",
     lambda s: s.models["A"].doc == "the model" and s.models["A"].field("id").doc == "the key"),
    ("// comments anywhere", "// top\nmodel A { // after brace\n id Int @id // trailing\n // alone\n}\n",
     lambda s: [f.name for f in s.models["A"].fields] == ["id"]),
    ("string escapes", "model A {\n id Int @id\n s String @default(\"a \\\"q\\\" \\\\ \\n \\u00e9\")\n}\n",
     lambda s: s.models["A"].field("s").attribute("default").args[0].value == 'a "q" \\ \n é'),
    ("unknown attributes are kept", "model A {\n id Int @id @custom.thing(1, x: [a])\n @@whatever\n @@ignore\n}\n",
     lambda s: s.models["A"].field("id").attribute("custom.thing").args[1].value == [Ref("a")]
     and s.models["A"].attribute("whatever") is not None),
    ("attribute arguments over several lines", "model P {\n id Int @id\n c C[]\n}\nmodel C {\n id Int @id\n pId Int\n"
     " p P @relation(\n  fields: [pId],\n  references: [id]\n )\n}\n", lambda s: rel(s, "C", "p").columns == ("pId",)),
    ("env() in the datasource", "", lambda s: isinstance(s.datasources[0].values["url"], Call)),
]


@pytest.mark.parametrize("name,text,check", CASES, ids=[c[0] for c in CASES])
def test_parser_constructs(name, text, check):
    assert check(parsed(text))


# (what, schema text, line, col, words of the message)
ERRORS = [
    ("missing brace", "model A {\n id Int @id\n", 3, 1, "missing '}'"),
    ("field without type", "model A {\n id\n}\n", 2, 4, "expected a type"),
    ("unknown block", "modle A {\n}\n", 1, 1, "unknown block type 'modle'"),
    ("unterminated string", "model A {\n id Int @id @map(\"x)\n}\n", 2, 18, "unterminated string"),
    ("bad escape", "model A {\n s String @default(\"\\q\")\n}\n", 2, 21, "unknown escape"),
    ("unknown type", "model A {\n id Int @id\n b Bogus\n}\n", 3, 2, "type Bogus is not a scalar"),
    ("stray character", "model A {\n id Int @id $\n}\n", 2, 13, "unexpected character"),
    ("two things on a line", "model A {\n id Int @id name String\n}\n", 2, 13, "expected a new line"),
    ("relation to a missing field", "model P {\n id Int @id\n c C[]\n}\nmodel C {\n id Int @id\n"
     " p P @relation(fields: [nope], references: [id])\n}\n", 7, 6, "has no field nope"),
]


@pytest.mark.parametrize("what,text,line,col,words", ERRORS, ids=[e[0] for e in ERRORS])
def test_parser_errors_name_file_line_column(what, text, line, col, words):
    with pytest.raises(PrismaSyntaxError) as info:
        parsed(text)
    file_line = line + HEAD.count("\n")  # lines are counted in the file, datasource included
    assert info.value.one_line().startswith(f"t.prisma:{file_line}:{col}: "), info.value.one_line()
    assert words in info.value.one_line()


def test_cli_syntax_error_is_one_line_and_nonzero(tmp_path):
    bad = tmp_path / "schema.prisma"
    bad.write_text(HEAD + "model A {\n  id Int @id\n  name String @default(\"x\"\n}\n")
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE a (id INT PRIMARY KEY);\n")
    # offline, with a DDL file, and before any connection is tried (port 1 would refuse)
    for args in (["plan", "--prisma", str(bad)], ["plan", "--ddl", str(ddl), "--prisma", str(bad)],
                 ["plan", "somedb", "--prisma", str(bad), "-h", "127.0.0.1", "-P", "1"]):
        proc = dumpcore(*args)
        assert proc.returncode != 0
        lines = proc.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {bad}:8:1: "), lines


def test_school_schema_matches_the_sample_tables(server, db):
    """examples/school/schema.prisma describes sample.py's tables exactly."""
    with server.connect() as conn:
        recreate_database(conn, db, SCHOOL_DDL)
    proc = dumpcore("plan", db, "--prisma", str(REPO / "examples/school/schema.prisma"), "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    cov = json.loads(proc.stdout)["coverage"]
    assert cov["complete"] and cov["tables_without_model"] == [] and cov["models_without_table"] == []
    assert sorted(m["table"] for m in cov["models"]) == sorted(
        ["attendance_statuses", "subjects", "classes", "students", "lectures", "attendance", "audit_log"])
    assert json.loads(proc.stdout)["warnings"] == []  # every relation is the database's FK, and back
    assert len(cov["empty_models"]) == 7


def _fixture(tmp_path) -> tuple[Path, object]:
    folder = pf.write_schema(tmp_path / "prisma")
    return folder, load_prisma(folder)


def test_multi_file_schema_orders_referenced_models_first(tmp_path):
    folder, ps = _fixture(tmp_path)
    assert len(ps.models) >= 30 and len(ps.files) == 4 and ps.relation_mode == "prisma"
    proc = dumpcore("plan", "--prisma", str(folder), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    plan = json.loads(proc.stdout)
    pos = {t: i for i, t in enumerate(plan["load_order"])}
    cycle_of = {t: i for i, c in enumerate(plan["cycles"]) for t in c}
    assert sorted(pos) == sorted(to_schema(ps).tables)
    for r in ps.relations:
        if r.table == r.ref_table:
            continue  # a self-relation: rows in key order
        in_cycle = r.table in cycle_of and cycle_of.get(r.table) == cycle_of.get(r.ref_table)
        assert in_cycle or pos[r.ref_table] < pos[r.table], r.describe()
    assert sorted(sorted(c) for c in plan["cycles"]) == [["bins", "shelves", "warehouses"], ["teams", "users"]]
    closing = {(f["table"], tuple(f["columns"])) for d in plan["cycle_details"] for f in d["closing_foreign_keys"]}
    assert ("teams", ("lead_id",)) in closing and ("warehouses", ("main_bin_id",)) in closing
    assert "View ActiveUser".lower() not in proc.stderr.decode().lower() or "skipped" in proc.stderr.decode()


def test_no_fk_database_dumps_and_loads_with_checks_on_in_prisma_order(server, db, tmp_path, conn):
    folder, ps = _fixture(tmp_path)
    schema = to_schema(ps, db)
    plan = plan_load(schema)
    conn.execute(f"USE {quote_ident(db)}")
    for stmt in pf.create_statements(schema, foreign_keys=False):
        conn.execute(stmt)
    counts = pf.fill(conn, db, schema, plan)
    # without --prisma the database alone gives no order: every table stands alone
    bare = dumpcore("plan", db, "--json", *conn_args(server))
    assert json.loads(bare.stdout)["cycles"] == []
    out = tmp_path / "dump"
    proc = dumpcore("dump", db, "-o", str(out), "--prisma", str(folder), "--annotate", "--quiet", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    m = read_manifest(out)
    # with no FK in the database, --annotate follows the Prisma relations
    users = b"".join((out / c["file"]).read_bytes() for c in m.table("users")["chunks"])
    assert b"), -- Team: teams-name-1 | Manager: users-email-0\n" in users
    assert m.data["load_order"] == plan.load_order
    assert m.data["prisma"]["relation_mode"] == "prisma"
    # The target has the foreign keys: loading in the manifest's order with checks ON proves the order.
    target = f"{db}_fk"
    conn.execute(f"CREATE DATABASE {quote_ident(target)}")
    try:
        conn.execute(f"USE {quote_ident(target)}")
        for stmt in pf.create_statements(schema, foreign_keys=True):
            conn.execute(stmt)
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
        for entry in (m.table(t) for t in m.data["load_order"]):
            for chunk in entry["chunks"]:
                for stmt in split_chunk_statements((out / chunk["file"]).read_bytes()):
                    conn.execute(stmt)
        for t in schema.tables:
            assert raw_rows(conn, target, t) == raw_rows(conn, db, t), t
            assert len(raw_rows(conn, target, t)) == counts[t]
        # dumpcore restore --cleanup --prisma into the FK'd target: emptied children first, loaded again
        proc = dumpcore("restore", str(out), "-D", target, "--cleanup", "--prisma", str(folder), "-q",
                        *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        assert all(raw_rows(conn, target, t) == raw_rows(conn, db, t) for t in schema.tables)
        # the dump's cleanup script empties it with FK checks ON (only a cycle's DELETEs turn them off)
        run_client(server, (out / "scripts" / "cleanup.sql").read_bytes(), database=target)
        assert all(not raw_rows(conn, target, t) for t in table_names(conn, target))
        # a dump taken WITHOUT --prisma: restore --prisma orders its cleanup by the relations
        bare_dump = tmp_path / "bare"
        assert dumpcore("dump", db, "-o", str(bare_dump), "-q", *conn_args(server)).returncode == 0
        assert dumpcore("restore", str(bare_dump), "-D", target, "-q", *conn_args(server)).returncode == 0
        assert all(raw_rows(conn, target, t) == raw_rows(conn, db, t) for t in schema.tables)
        cleanup_plan = restore_plan(read_manifest(bare_dump).data, folder)
        conn.execute(f"USE {quote_ident(target)}")
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
        for stmt in cleanup_statements(cleanup_plan):
            if not stmt.startswith("-- "):
                conn.execute(stmt)
        assert all(not raw_rows(conn, target, t) for t in table_names(conn, target))
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_coverage_and_disagreements(server, db, tmp_path, conn):
    create_school(conn, db, scale=0.05)
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("CREATE TABLE stray (id INT PRIMARY KEY)")
    conn.execute("ALTER TABLE students ADD COLUMN nickname VARCHAR(20) NULL")
    conn.execute("DELETE FROM audit_log")
    text = (REPO / "examples/school/schema.prisma").read_text()
    text = text.replace('  comment   String?          @db.VarChar(255)\n',
                        '  comment   String?          @db.VarChar(255)\n  graded    Boolean          @default(false)\n')
    text += "\nmodel Ghost {\n  id Int @id\n  @@map(\"ghosts\")\n}\n"
    # a relation that points elsewhere than the database's FK
    text = text.replace('status    AttendanceStatus @relation(fields: [statusId], references: [id], map: "fk_att_status")',
                        'status    Lecture          @relation("Odd", fields: [statusId], references: [id])')
    text = text.replace("  attendance Attendance[]\n\n  @@index", "  attendance Attendance[]\n  odd Attendance[] @relation(\"Odd\")\n\n  @@index")
    text = text.replace("  label      String       @db.VarChar(64)\n  attendance Attendance[]\n",
                        "  label      String       @db.VarChar(64)\n")
    schema = tmp_path / "school.prisma"
    schema.write_text(text)
    proc = dumpcore("plan", db, "--prisma", str(schema), "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    d = json.loads(proc.stdout)
    cov = d["coverage"]
    assert cov["tables_without_model"] == ["stray"]
    assert cov["models_without_table"] == ["Ghost"]
    assert cov["empty_models"] == ["AuditLog"]
    by_model = {m["model"]: m for m in cov["models"]}
    assert by_model["Student"]["columns_without_field"] == ["nickname"]
    assert by_model["Attendance"]["fields_without_column"] == ["graded"]
    assert not cov["complete"]
    warned = "\n".join(d["warnings"])
    assert "Attendance.status -> Lecture" in warned and "fk_att_status" in warned
    text_out = dumpcore("plan", db, "--prisma", str(schema), *conn_args(server))
    assert "Prisma coverage:" in text_out.stdout.decode() and "NO TABLE" in text_out.stdout.decode()
    assert "disagrees" in text_out.stderr.decode()


def test_restore_missing_ok(server, db, tmp_path):
    missing = tmp_path / "no-backup"
    proc = dumpcore("restore", str(missing), "-D", db, "--missing-ok", *conn_args(server))
    assert proc.returncode == 0 and "no backup at" in proc.stderr.decode()
    (tmp_path / "empty").mkdir()
    proc = dumpcore("restore", str(tmp_path / "empty"), "-D", db, "--missing-ok", *conn_args(server))
    assert proc.returncode == 0 and "empty directory" in proc.stderr.decode()
    proc = dumpcore("restore", str(missing), "-D", db, *conn_args(server))
    assert proc.returncode != 0 and proc.stderr.decode().startswith("Error: ")
    # something there that is not a complete dump is never "missing"
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "data").mkdir()
    proc = dumpcore("restore", str(tmp_path / "half"), "-D", db, "--missing-ok", *conn_args(server))
    assert proc.returncode != 0 and proc.stderr.decode().startswith("Error: ")
