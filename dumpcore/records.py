"""Record classes that cost nothing to define: the shape of ``dataclasses`` (fields from
annotations, defaults and default factories, frozen, ``==``, ``repr``, ``replace``) with
methods shared by every class instead of compiled for each.

Why not ``dataclasses``: it writes each class's ``__init__``, ``__repr__`` and ``__eq__``
as source text and compiles it (``exec``), and its import brings ``inspect`` (with ast,
dis, tokenize). For the records on a dump's start-up path that was 17 ms of the 41 ms of
CPU its imports took, on the one core that runs before the first row is read (README,
lever table). msgspec.Struct defines classes cheaply too, but its own import costs more
than that (15 ms of CPU, measured). tests/test_records.py runs the same classes through ``dataclasses`` and this
module and expects the same behaviour.

Only what dumpcore uses: no ``__post_init__``, ``InitVar``, ``order``, ``kw_only`` or
``slots``; a ``ClassVar`` annotation is a class attribute, not a field; fields are
collected from record bases and the class itself (annotations of other bases are
ignored, as dataclasses ignores them).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING, repr: bool = True,
                 compare: bool = True) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | Any = _MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's default (or a factory called for each instance) and whether it shows in
    ``repr`` and takes part in ``==``."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr, compare)


def record(cls: type[T] | None = None, *, frozen: bool = False) -> Any:
    """``@record`` or ``@record(frozen=True)`` on a class with annotated fields."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def _build(cls: type[T], frozen: bool) -> type[T]:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__record_fields__", None) or {})
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar", "t.ClassVar")):
            continue  # a class attribute, not a field (as dataclasses has it)
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        if isinstance(f.default, (list, dict, set)):
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        fields[name] = f
        if f.default is _MISSING:
            if isinstance(value, Field):
                delattr(cls, name)
        else:
            setattr(cls, name, f.default)
    seen_default = False
    for f in fields.values():
        has_default = f.default is not _MISSING or f.default_factory is not _MISSING
        if seen_default and not has_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        seen_default = seen_default or has_default
    cls.__record_fields__ = fields  # type: ignore[attr-defined]
    own = cls.__dict__
    cls.__init__ = _init_for(cls, tuple(fields.values()))  # type: ignore[misc]
    if "__repr__" not in own:
        cls.__repr__ = _repr_for(tuple(f.name for f in fields.values() if f.repr))  # type: ignore[assignment]
    compared = tuple(f.name for f in fields.values() if f.compare)
    if "__eq__" not in own:
        cls.__eq__ = _eq_for(compared)  # type: ignore[assignment]
        if "__hash__" not in own:  # as dataclasses: frozen records hash their fields, others none
            cls.__hash__ = _hash_for(compared) if frozen else None  # type: ignore[assignment]
    if frozen:
        cls.__setattr__ = _frozen_setattr(cls, fields)  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr(cls, fields)  # type: ignore[assignment]
    return cls


def _init_for(cls: type, fields: tuple[Field, ...]) -> Callable[..., None]:
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    count = len(names)
    label = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(f"{label}.__init__() takes {count + 1} positional arguments but {len(args) + 1} were given")
        for key in kwargs:
            if key not in known:
                raise TypeError(f"{label}.__init__() got an unexpected keyword argument {key!r}")
        values = self.__dict__  # in field order, as dataclasses assigns them (vars() and JSON keep it)
        for i, f in enumerate(fields):
            name = f.name
            if i < len(args):
                if name in kwargs:
                    raise TypeError(f"{label}.__init__() got multiple values for argument {name!r}")
                values[name] = args[i]
            elif name in kwargs:
                values[name] = kwargs[name]
            elif f.default is not _MISSING:
                values[name] = f.default
            elif f.default_factory is not _MISSING:
                values[name] = f.default_factory()
            else:
                raise TypeError(f"{label}.__init__() missing 1 required positional argument: {name!r}")

    __init__.__qualname__ = f"{label}.__init__"
    return __init__


def _repr_for(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq_for(names: tuple[str, ...]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in names)

    return __eq__


def _hash_for(names: tuple[str, ...]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, n) for n in names))

    return __hash__


def _frozen_setattr(cls: type, fields: dict[str, Field]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    return __setattr__


def _frozen_delattr(cls: type, fields: dict[str, Field]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    return __delattr__


def replace(obj: T, /, **changes: Any) -> T:
    """A new record like ``obj`` with ``changes`` (``dataclasses.replace``)."""
    fields = type(obj).__record_fields__  # type: ignore[attr-defined]
    for key in changes:
        if key not in fields:
            raise TypeError(f"{type(obj).__qualname__}.__init__() got an unexpected keyword argument {key!r}")
    return type(obj)(**{n: changes[n] if n in changes else getattr(obj, n) for n in fields})


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    return tuple(obj.__record_fields__.values())
