"""FK ordering on synthetic schemas (no server needed for the algorithm itself)."""
from dumpcore.schema.ordering import plan_load, strongly_connected
from dumpcore.schema.schema import Column, ForeignKey, Schema, Table


def make_schema(edges, nullable=()):
    """edges: (child, parent) pairs; nullable: set of (child, parent) whose FK column is nullable."""
    s = Schema("d")
    names = {n for e in edges for n in e}
    for n in sorted(names):
        s.tables[n] = Table(n, [Column("id", "int", nullable=False)], primary_key=("id",))
    for i, (child, parent) in enumerate(edges):
        col = f"{parent}_id"
        nul = (child, parent) in nullable
        s.tables[child].columns.append(Column(col, "int", nullable=nul))
        s.tables[child].foreign_keys.append(ForeignKey(f"fk{i}", child, (col,), parent, ("id",), nul))
    return s


def assert_parents_first(plan, schema):
    pos = {t: i for i, t in enumerate(plan.load_order)}
    for t in schema.tables.values():
        for fk in t.foreign_keys:
            cyc = plan.cycle_of(t.name)
            if cyc and fk.ref_table in cyc.tables:
                continue
            assert pos[fk.ref_table] < pos[t.name], f"{fk.ref_table} must load before {t.name}"


def test_chain_and_diamond():
    s = make_schema([("b", "a"), ("c", "b"), ("d", "b"), ("e", "c"), ("e", "d")])
    p = plan_load(s)
    assert p.load_order == ["a", "b", "c", "d", "e"]
    assert p.cleanup_order == ["e", "d", "c", "b", "a"]
    assert p.cycles == []


def test_self_reference_is_a_cycle_with_its_fk():
    s = make_schema([("emp", "emp"), ("emp", "dept")], nullable={("emp", "emp")})
    p = plan_load(s)
    assert p.load_order == ["dept", "emp"]
    assert [c.tables for c in p.cycles] == [["emp"]]
    assert p.cycles[0].closing[0].ref_table == "emp" and p.cycles[0].closing[0].nullable


def test_cycle_prefers_leaving_nullable_fk_open():
    # a -> b (NOT NULL), b -> a (nullable): load a? No: a needs b, so b first, and b's nullable FK closes.
    s = make_schema([("a", "b"), ("b", "a")], nullable={("b", "a")})
    p = plan_load(s)
    assert p.load_order == ["b", "a"]
    assert [(fk.table, fk.ref_table, fk.nullable) for fk in p.cycles[0].closing] == [("b", "a", True)]


def test_three_cycle_with_outside_parent_and_child():
    s = make_schema([("x", "root"), ("y", "x"), ("z", "y"), ("x", "z"), ("leaf", "z")], nullable={("x", "z")})
    p = plan_load(s)
    assert p.load_order[0] == "root" and p.load_order[-1] == "leaf"
    assert sorted(p.cycles[0].tables) == ["x", "y", "z"]
    assert [(fk.table, fk.ref_table) for fk in p.cycles[0].closing] == [("x", "z")]
    assert_parents_first(p, s)


def test_deterministic_and_deep_chain_without_recursion_limit():
    edges = [(f"t{i + 1:05d}", f"t{i:05d}") for i in range(3000)]
    s = make_schema(edges)
    p1, p2 = plan_load(s), plan_load(s)
    assert p1.load_order == p2.load_order == [f"t{i:05d}" for i in range(3001)]


def test_strongly_connected_components():
    comps = strongly_connected(["a", "b", "c", "d"], {"a": {"b"}, "b": {"a"}, "c": {"d"}})
    assert sorted(map(tuple, comps)) == [("a", "b"), ("c",), ("d",)]
