"""`dumpcore plan` on real schemas: the own world fixture (live and offline agree) and the school.

The same checks on Sakila itself are in test_sakila.py (skipped without ../shared)."""

from conftest import run_client
from dumpcore.connect.connection import quote_ident
from dumpcore.schema.plan import plan_database, plan_ddl, write_plan_scripts
from dumpcore.sandbox.sample import create_school
from dumpcore.schema.schema import load_schema, load_schema_from_ddl
from dumpcore.schema.scripts import LOAD_SQL_MODE
from fixture_world import WORLD_ROUTINES, WORLD_TABLES, WORLD_TRIGGERS, WORLD_VIEWS, world_schema_script, \
    write_world_schema


def test_world_live_and_ddl_plans_are_identical(server, world, tmp_path):
    live = plan_database(server, world).plan.to_dict()
    offline = plan_ddl(write_world_schema(tmp_path / "world.sql", world)).plan.to_dict()
    assert live["table_count"] == len(WORLD_TABLES)
    assert live == offline


def test_world_live_and_ddl_models_agree(server, world, tmp_path):
    with server.connect() as conn:
        live = load_schema(conn, world)
    offline = load_schema_from_ddl(write_world_schema(tmp_path / "world.sql"))
    assert sorted(live.tables) == sorted(offline.tables) == WORLD_TABLES
    for name, t in live.tables.items():
        o = offline.tables[name]
        assert [c.name for c in t.columns] == [c.name for c in o.columns], name
        assert [c.nullable for c in t.columns] == [c.nullable for c in o.columns], name
        assert [c.generated for c in t.columns] == [c.generated for c in o.columns], name
        assert t.primary_key == o.primary_key, name
        assert sorted((f.name, f.columns, f.ref_table) for f in t.foreign_keys) == \
               sorted((f.name, f.columns, f.ref_table) for f in o.foreign_keys), name
    assert offline.tables["address"].column("location").data_type == "point"  # read past sqlglot's gap
    assert sorted(live.views) == sorted(offline.views) == WORLD_VIEWS
    assert live.view_order() == offline.view_order()
    order = live.view_order()
    assert order.index("sales_by_category") < order.index("top_categories") < order.index("store_summary")
    assert sorted(t.name for t in live.triggers) == sorted(t.name for t in offline.triggers) == WORLD_TRIGGERS
    assert sorted(r.name for r in live.routines) == sorted(r.name for r in offline.routines) == WORLD_ROUTINES


def test_world_parents_first_except_store_staff_cycle(server, world):
    result = plan_database(server, world)
    plan = result.plan
    cycles = {tuple(sorted(c.tables)): c for c in plan.cycles}
    assert sorted(cycles) == [("category",), ("staff", "store")]
    closing = {(fk.table, fk.ref_table): fk.nullable for fk in cycles[("staff", "store")].closing}
    # The NOT NULL cycle has to be closed by a NOT NULL key (FK checks off); the self-reference is nullable.
    assert closing[("staff", "staff")] is True and len(closing) == 2
    assert {("staff", "store"), ("store", "staff")} & set(closing)
    assert [fk.nullable for fk in cycles[("category",)].closing] == [True]
    pos = {t: i for i, t in enumerate(plan.load_order)}
    checked = 0
    for t in result.schema.tables.values():
        for fk in t.foreign_keys:
            if {fk.table, fk.ref_table} <= {"staff", "store"} or fk.table == fk.ref_table:
                continue
            assert pos[fk.ref_table] < pos[fk.table], f"{fk.ref_table} must precede {fk.table}"
            checked += 1
    assert checked >= 20
    assert plan.cleanup_order == list(reversed(plan.load_order))


def test_world_cleanup_script_empties_every_table_with_fk_checks_on(server, world, db, tmp_path):
    # A full copy of the world in `db`, via its own DDL script.
    run_client(server, world_schema_script(db))
    with server.connect() as conn:
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
        for (trig,) in conn.query_text(f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'"):
            conn.execute(f"DROP TRIGGER {quote_ident(db)}.{quote_ident(trig)}")  # the copy must not fire them
        tables = [r[0] for r in conn.query_text(
            f"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}' AND TABLE_TYPE = 'BASE TABLE'")]
        for t in tables:
            cols = ", ".join(quote_ident(r[0]) for r in conn.query_text(
                f"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{t}'"
                " AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION"))
            conn.execute(f"INSERT INTO {quote_ident(db)}.{quote_ident(t)} ({cols}) SELECT {cols} FROM {world}.{quote_ident(t)}")
        counts_before = {t: int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.{quote_ident(t)}")) for t in tables}
    assert sum(counts_before.values()) > 15000 and all(counts_before[t] > 0 for t in ("store", "staff", "payment"))
    result = plan_database(server, db)
    write_plan_scripts(result, tmp_path / "scripts")
    cleanup = (tmp_path / "scripts" / "cleanup.sql").read_text()
    # FK checks ON (the server default) for the whole run, as a user would run it.
    run_client(server, "SET SESSION FOREIGN_KEY_CHECKS = 1;\n" + cleanup +
               "\nSELECT IF(@@FOREIGN_KEY_CHECKS = 1, 'fk-on', 'fk-off');", database=db)
    with server.connect() as conn:
        for t in tables:
            assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.{quote_ident(t)}") == "0", t


def test_school_plan_has_cycle_and_self_reference(server, db):
    with server.connect() as conn:
        counts = create_school(conn, db, scale=0.05)
    assert counts["attendance"] > 0
    plan = plan_database(server, db).plan
    assert plan.load_order.index("attendance_statuses") < plan.load_order.index("attendance")
    assert plan.load_order.index("lectures") < plan.load_order.index("attendance")
    cycles = sorted(sorted(c.tables) for c in plan.cycles)
    assert cycles == [["classes", "students"], ["subjects"]]
    closing = {(fk.table, fk.ref_table): fk.nullable for c in plan.cycles for fk in c.closing}
    # The nullable FK (classes.head_student_id) is the one left open; subjects refers to itself.
    assert closing == {("classes", "students"): True, ("subjects", "subjects"): True}


def test_scripts_are_valid_and_load_sql_sources_in_order(server, db, tmp_path):
    with server.connect() as conn:
        create_school(conn, db, scale=0.05)
    result = plan_database(server, db)
    files = write_plan_scripts(result, tmp_path)
    assert sorted(f.name for f in files) == ["cleanup-truncate.sql", "cleanup.sql", "disable.sql", "enable.sql",
                                             "load.sql"]
    assert not list(tmp_path.glob(".*.tmp"))
    load = (tmp_path / "load.sql").read_text().splitlines()
    assert load[2] == "SOURCE scripts/disable.sql;" and load[-1] == "SOURCE scripts/enable.sql;"
    order = [line[3:].split(":")[0] for line in load[3:] if line.startswith("-- ")]
    assert order == result.plan.load_order
    # disable then enable in one session leaves the session as it was.
    disable = (tmp_path / "disable.sql").read_text()
    enable = (tmp_path / "enable.sql").read_text()
    out = run_client(server, "SET SESSION sql_mode='STRICT_ALL_TABLES'; SET time_zone='+03:00';" + disable +
                     "SELECT @@FOREIGN_KEY_CHECKS, @@UNIQUE_CHECKS, @@SQL_MODE, @@TIME_ZONE;" + enable +
                     "SELECT @@FOREIGN_KEY_CHECKS, @@UNIQUE_CHECKS, @@SQL_MODE, @@TIME_ZONE;", database=db)
    lines = out.stdout.decode().splitlines()
    fk, uc, mode, tz = lines[1].split("\t")
    assert (fk, uc, tz) == ("0", "0", "+00:00")
    assert set(mode.split(",")) == set(LOAD_SQL_MODE.split(","))  # the server orders the flags its own way
    assert lines[3].split("\t") == ["1", "1", "STRICT_ALL_TABLES", "+03:00"]


def test_plan_truncate_variant_empties_school(server, db, tmp_path):
    with server.connect() as conn:
        create_school(conn, db, scale=0.05)
    write_plan_scripts(plan_database(server, db), tmp_path)
    run_client(server, (tmp_path / "cleanup-truncate.sql").read_text(), database=db)
    with server.connect() as conn:
        assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.students") == "0"
        assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.attendance") == "0"
