"""Sakila, a third-party schema and data set, as a real-world check on top of the own
fixture (tests/fixture_world.py). It lives in ../shared (CI and the team's checkout
have it); a clone of this repository alone skips these tests and runs everything else.
"""
import json

import pytest

from clirun import conn_args, dumpcore
from conftest import SAKILA_DIR, needs_sakila, run_client
from dbcompare import assert_same_database, assert_same_objects, raw_rows
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import dump_to_directory
from dumpcore.schema.plan import plan_database, plan_ddl
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.schema.schema import load_schema, load_schema_from_ddl
from test_restore import copy_dump, drop

pytestmark = needs_sakila


@pytest.fixture(scope="module")
def sakila_dump(server, sakila, tmp_path_factory):
    out = tmp_path_factory.mktemp("sakila") / "dump"
    dump_to_directory(server, sakila, out)
    return out


def sakila_ddl_into(db: str) -> str:
    """sakila-schema.sql rewritten to create its objects in ``db``."""
    ddl = (SAKILA_DIR / "sakila-schema.sql").read_text()
    return ddl.replace("DROP SCHEMA IF EXISTS sakila;", "").replace("CREATE SCHEMA sakila;", "") \
        .replace("USE sakila;", f"USE {quote_ident(db)};")


def test_sakila_restores_exactly_into_a_new_database(server, conn, sakila, sakila_dump, tmp_path, db):
    drop(server, db)  # restore creates it
    d = copy_dump(sakila_dump, tmp_path)
    proc = dumpcore("restore", str(d), "--database", db, "--parallel", "2", "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    assert summary["total_rows"] == 47273 and summary["total_rejected"] == 0
    assert_same_database(conn, sakila, db)
    objects = assert_same_objects(conn, sakila, db)
    assert (len(objects["views"]), len(objects["triggers"]), len(objects["routines"])) == (7, 6, 6)
    assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.actor_info") == "200"


def test_sakila_into_schema_made_by_its_own_ddl_with_triggers_deferred(server, conn, sakila, sakila_dump, tmp_path, db):
    run_client(server, sakila_ddl_into(db))
    before = {r[0] for r in conn.query_text(
        f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")}
    assert before == {"ins_film", "upd_film", "del_film"}
    d = copy_dump(sakila_dump, tmp_path)
    summary = restore(d, server, RestoreOptions(database=db, defer_triggers=True, parallel=2))
    assert not summary.warnings or not any("will fire" in w for w in summary.warnings)
    # no trigger side effects: film_text equals the source, row for row
    assert raw_rows(conn, sakila, "film_text") == raw_rows(conn, db, "film_text")
    assert_same_database(conn, sakila, db, objects=False)  # its views and triggers come from its own DDL
    after = {r[0] for r in conn.query_text(
        f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")}
    assert after == before | {"customer_create_date", "payment_date", "rental_date"}


def test_sakila_live_and_ddl_plans_and_models_agree(server, sakila):
    live_plan = plan_database(server, sakila).plan.to_dict()
    assert live_plan["table_count"] == 16
    assert live_plan == plan_ddl(SAKILA_DIR / "sakila-schema.sql").plan.to_dict()
    assert [sorted(c) for c in live_plan["cycles"]] == [["staff", "store"]]
    with server.connect() as conn:
        live = load_schema(conn, sakila)
    offline = load_schema_from_ddl(SAKILA_DIR / "sakila-schema.sql")
    assert sorted(live.tables) == sorted(offline.tables)
    for name, t in live.tables.items():
        o = offline.tables[name]
        assert [c.name for c in t.columns] == [c.name for c in o.columns], name
        assert [c.nullable for c in t.columns] == [c.nullable for c in o.columns], name
        assert t.primary_key == o.primary_key, name
        assert sorted((f.name, f.columns, f.ref_table) for f in t.foreign_keys) == \
               sorted((f.name, f.columns, f.ref_table) for f in o.foreign_keys), name
    assert sorted(live.views) == sorted(offline.views)
    assert live.view_order() == offline.view_order()
    # sakila-schema.sql holds the film triggers; sakila-data.sql adds three more.
    assert sorted(t.name for t in offline.triggers) == ["del_film", "ins_film", "upd_film"]
    assert sorted(r.name for r in live.routines) == sorted(r.name for r in offline.routines)
