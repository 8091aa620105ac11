"""Foreign-key ordering: load order (parents first), cleanup order (children first).

Tables are nodes; each FK is an edge child -> parent. Strongly connected components
(Tarjan) collapse cycles; the condensed graph is sorted topologically, ties broken
by name so the same schema always gives the same plan. Inside a cycle, tables are
placed so that as few FKs as possible point forward, preferring to leave nullable
FKs open; the FKs left pointing forward are the ones that "close" the cycle.
"""
from __future__ import annotations

import heapq

from ..records import field, record
from .schema import ForeignKey, Schema


@record
class Cycle:
    tables: list[str]  # in the order they are loaded
    closing: list[ForeignKey]  # FKs whose parent loads after the child (self-references included)

    def to_dict(self) -> dict:
        return {"tables": self.tables, "closing_foreign_keys": [fk.to_dict() for fk in self.closing]}

    def describe(self) -> str:
        closes = ", ".join(
            f"{fk.table}.{'/'.join(fk.columns)} -> {fk.ref_table} ({fk.name}, {'nullable' if fk.nullable else 'NOT NULL'})"
            for fk in self.closing
        )
        return f"{' <-> '.join(self.tables)}: closed by {closes}"


@record
class LoadPlan:
    """The order tables load in (parents first), their FK cycles, and the cleanup order (children first)."""
    database: str
    load_order: list[str]
    components: list[list[str]]  # strongly connected components, in load order
    cycles: list[Cycle] = field(default_factory=list)

    @property
    def cleanup_order(self) -> list[str]:
        return list(reversed(self.load_order))

    def restricted(self, tables: list[str] | set[str]) -> "LoadPlan":
        """The same order over a subset of the tables (for a partial dump or restore)."""
        keep = set(tables)
        comps = [[t for t in comp if t in keep] for comp in self.components]
        cycles = [c for c in self.cycles if set(c.tables) <= keep]
        return LoadPlan(self.database, [t for t in self.load_order if t in keep], [c for c in comps if c], cycles)

    def cycle_of(self, table: str) -> Cycle | None:
        for c in self.cycles:
            if table in c.tables:
                return c
        return None

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "table_count": len(self.load_order),
            "load_order": self.load_order,
            "cleanup_order": self.cleanup_order,
            "cycles": [c.tables for c in self.cycles],
            "cycle_details": [c.to_dict() for c in self.cycles],
        }


def strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deep FK chains must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                result.append(sorted(comp))
    return result


def plan_load(schema: Schema) -> LoadPlan:
    """Order every table of ``schema`` for loading (parents first)."""
    names = sorted(schema.tables)
    fks = [fk for t in names for fk in schema.tables[t].foreign_keys if fk.ref_table in schema.tables]
    parents: dict[str, set[str]] = {n: set() for n in names}
    for fk in fks:
        parents[fk.table].add(fk.ref_table)
    comps = strongly_connected(names, parents)
    comp_of = {t: i for i, comp in enumerate(comps) for t in comp}
    # Condensed DAG: component -> components it depends on (its parents).
    deps: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    inner: dict[int, list[ForeignKey]] = {}  # a component's own FKs (a cycle's), looked up once
    for fk in fks:
        a, b = comp_of[fk.table], comp_of[fk.ref_table]
        if a != b:
            deps[a].add(b)
        else:
            inner.setdefault(a, []).append(fk)
    dependents: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    for a, bs in deps.items():
        for b in bs:
            dependents[b].add(a)
    remaining = {i: len(deps[i]) for i in deps}
    ready = [(comps[i][0], i) for i in deps if remaining[i] == 0]
    heapq.heapify(ready)
    ordered_comps: list[list[str]] = []
    cycles: list[Cycle] = []
    while ready:
        _, i = heapq.heappop(ready)
        comp_fks = inner.get(i, [])
        order = _order_within(comps[i], comp_fks)
        ordered_comps.append(order)
        if comp_fks:
            pos = {t: k for k, t in enumerate(order)}
            closing = [fk for fk in comp_fks if pos[fk.ref_table] >= pos[fk.table]]
            cycles.append(Cycle(order, sorted(closing, key=lambda f: (f.table, f.name))))
        for j in dependents[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                heapq.heappush(ready, (comps[j][0], j))
    load_order = [t for comp in ordered_comps for t in comp]
    return LoadPlan(schema.database, load_order, ordered_comps, cycles)


def _order_within(tables: list[str], fks: list[ForeignKey]) -> list[str]:
    """Order the tables of one component: honour NOT NULL FKs first, then nullable ones,
    and where a cycle leaves no choice, take the table with the fewest open parents."""
    if len(tables) == 1:
        return tables
    placed: list[str] = []
    left = set(tables)
    while left:
        def open_parents(t: str, strict_only: bool) -> int:
            return sum(1 for fk in fks if fk.table == t and fk.ref_table in left and fk.ref_table != t
                       and (not strict_only or not fk.nullable))
        free = sorted(t for t in left if open_parents(t, False) == 0)
        if not free:
            free = sorted(t for t in left if open_parents(t, True) == 0)
        if not free:
            free = sorted(left, key=lambda t: (open_parents(t, True), t))
        placed.append(free[0])
        left.remove(free[0])
    return placed
