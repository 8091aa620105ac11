"""dumpcore.records against the standard library's dataclasses: the same class definitions
built by both, the same calls, the same results (and the same errors)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import ClassVar  # noqa: F401 - named in an annotation below

import pytest

from dumpcore import records

KINDS = {
    "dataclasses": (dataclasses.dataclass, dataclasses.field, dataclasses.replace, dataclasses.FrozenInstanceError),
    "records": (records.record, records.field, records.replace, records.FrozenInstanceError),
}


def build(kind: str):
    """The classes of the comparison, as one implementation builds them."""
    dc, field, _, _ = KINDS[kind]

    class Mixin:  # a plain base: its annotations are not fields
        note: str

        def shout(self) -> str:
            return self.name.upper()

    @dc
    class Plain(Mixin):
        name: str
        size: int = 0
        tags: list = field(default_factory=list)
        cache: dict | None = field(default=None, repr=False)
        seen: bool = field(default=False, repr=False, compare=False)

    @dc
    class Child(Plain):
        extra: str = "x"
        size: int = 7  # a redefined field keeps its place, takes the new default

    @dc(frozen=True)
    class Key:
        host: str
        port: int = 3306
        DEFAULT_PORT: ClassVar[int] = 3306  # not a field

    return Plain, Child, Key


@pytest.fixture
def both():
    return build("dataclasses"), build("records")


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the comparison is of the errors too
        return (type(exc).__name__, str(exc).replace("build.<locals>.", ""))


def test_construction_defaults_factories_and_errors_match(both):
    (p1, c1, k1), (p2, c2, k2) = both
    cases = [((), {}), (("a",), {}), (("a", 2), {}), (("a",), {"size": 3, "tags": [1]}), (("a", 1, [], None, True, 9), {}),
             ((), {"name": "n"}), (("a",), {"name": "b"}), (("a",), {"nope": 1})]
    for args, kwargs in cases:
        a, b = outcome(lambda: vars(p1(*args, **kwargs))), outcome(lambda: vars(p2(*args, **kwargs)))
        assert a[0] == b[0], (args, kwargs, a, b)
        if a[0] == "ok":
            assert list(a[1].items()) == list(b[1].items())  # same values, same order (JSON keys follow it)
    assert p2("a").tags is not p2("a").tags  # a new list each time
    assert vars(c1("a")) == vars(c2("a")) and list(vars(c2("a"))) == list(vars(c1("a")))
    assert c2("a").size == 7 and c2("a").shout() == "A"
    assert [f.name for f in records.fields(c2)] == [f.name for f in dataclasses.fields(c1)]
    assert [f.name for f in records.fields(k2)] == [f.name for f in dataclasses.fields(k1)] == ["host", "port"]


def test_repr_eq_and_hash_match(both):
    (p1, c1, k1), (p2, c2, k2) = both
    assert repr(p1("a", 1, [2])).replace("build.<locals>.", "") == repr(p2("a", 1, [2])).replace("build.<locals>.", "")
    assert repr(k1("h")).split("Key", 1)[1] == repr(k2("h")).split("Key", 1)[1]
    for a, b, kind in ((p1("a"), p1("a", seen=True), p1), (p2("a"), p2("a", seen=True), p2)):
        assert a == b  # compare=False fields do not count
        assert a != kind("b") and (a == "a") is False
    assert p2("a") != c2("a") and (p1("a") != c1("a"))  # another class is never equal
    assert p1.__hash__ is None and p2.__hash__ is None
    assert hash(k1("h", 1)) == hash(k1("h", 1)) and hash(k2("h", 1)) == hash(k2("h", 1))
    assert {k2("h"): 1}[k2("h")] == 1


def test_frozen_and_replace_match(both):
    (p1, c1, k1), (p2, c2, k2) = both
    _, _, replace1, frozen1 = KINDS["dataclasses"]
    _, _, replace2, frozen2 = KINDS["records"]
    with pytest.raises(frozen1):
        k1("h").port = 1
    with pytest.raises(frozen2):
        k2("h").port = 1
    with pytest.raises(AttributeError):
        del k2("h").host
    assert issubclass(frozen2, AttributeError)
    assert vars(replace2(k2("h", 1), port=2)) == vars(replace1(k1("h", 1), port=2)) == {"host": "h", "port": 2}
    assert replace2(c2("a"), extra="y").extra == "y" and type(replace2(c2("a"))) is c2
    assert outcome(lambda: replace1(k1("h"), nope=1))[0] == outcome(lambda: replace2(k2("h"), nope=1))[0] == "TypeError"


def test_definition_errors_match():
    for kind in KINDS:
        dc, field, _, _ = KINDS[kind]
        with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
            dc(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
        with pytest.raises(ValueError, match="mutable default"):
            dc(type("Bad", (), {"__annotations__": {"a": "list"}, "a": []}))


def test_the_dump_path_no_longer_imports_dataclasses_or_inspect():
    probe = ("import sys\nimport dumpcore.dump.validation, dumpcore.cli.connect, dumpcore.cli.commands, "
             "dumpcore.dump.dump, dumpcore.restore.restore, dumpcore.verify.verify\n"
             "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]"]
