"""A manifest's shape and paths, checked before anything trusts it.

The manifest's own hash tells damage from an intact file, not an honest file from a
crafted one: anyone can recompute it. So every field restore, verify and cat use is
checked for its type and range, and every path it names must be a plain relative path
inside the dump directory (no ``..``, not absolute, no symlink on the way), so a hostile
dump can neither crash the tool nor make it read or write outside the dump.
"""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ..errors import DumpIntegrityError
from .hashing import ROW_HASH

MAX_COUNT = 2**62  # rows, bytes: far beyond any real dump, far below what breaks arithmetic
_HEX = re.compile(r"[0-9a-f]{1,64}\Z")


class _Bad(Exception):
    pass


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise _Bad(what)


def _count(value, what: str) -> None:
    _need(type(value) is int and 0 <= value <= MAX_COUNT, f"{what} is not a count (got {str(value)[:40]!r})")


def _text(value, what: str) -> None:
    _need(isinstance(value, str) and value != "" and "\x00" not in value, f"{what} is not a non-empty string")


def _rel_path(value, what: str) -> str:
    _text(value, what)
    p = PurePosixPath(value)
    _need(not p.is_absolute() and "\\" not in value and all(part not in ("..", ".", "") for part in value.split("/"))
          and value == str(p), f"{what} {value!r} is not a plain relative path inside the dump")
    return value


def check_shape(data: dict) -> None:
    """Raise DumpIntegrityError naming the first field of the wrong type, range or path."""
    try:
        _check(data)
    except _Bad as exc:
        raise DumpIntegrityError(f"manifest.json: {exc}; the dump was not written by dumpcore or was tampered with",
                                 hint="nothing was read or written") from None


def _check(data: dict) -> None:
    if "databases" in data and "tables" not in data:  # a whole-server dump: one sub-dump per database
        _check_server(data)
        return
    _text(data.get("database"), "`database`")
    tables = data.get("tables")
    _need(isinstance(tables, list), "`tables` is not a list")
    names: set[str] = set()
    files: set[str] = set()
    for i, t in enumerate(tables):
        _need(isinstance(t, dict), f"tables[{i}] is not an object")
        _text(t.get("name"), f"tables[{i}].name")
        name = t["name"]
        _need(name not in names, f"table `{name}` is listed twice")
        names.add(name)
        _count(t.get("rows"), f"table `{name}`: rows")
        _count(t.get("bytes", 0), f"table `{name}`: bytes")
        _need(isinstance(t.get("idempotent"), bool), f"table `{name}`: idempotent is not true/false")
        _need(t.get("row_hash") in (None, ROW_HASH), f"table `{name}`: row_hash {t.get('row_hash')!r} is not "
              f"one this dumpcore computes ({ROW_HASH})")
        cols = t.get("columns")
        _need(isinstance(cols, list) and cols, f"table `{name}`: columns is not a non-empty list")
        for c in cols:
            _need(isinstance(c, dict), f"table `{name}`: a column is not an object")
            _text(c.get("name"), f"table `{name}`: a column name")
            _text(c.get("type"), f"table `{name}`: column `{c['name']}` type")
            for key in ("charset", "collation"):  # absent in dumps written before the pre-flight compared types
                _need(c.get(key) is None or isinstance(c[key], str), f"table `{name}`: column `{c['name']}` {key} "
                      "is not a string")
            _need(c.get("nullable") is None or type(c["nullable"]) is bool, f"table `{name}`: column `{c['name']}` nullable is not "
                  "true/false")
        zero = t.get("enum_zero", [])  # dumpcore.dump.enum_zero: names of the dumped columns
        _need(isinstance(zero, list) and all(isinstance(z, str) and z in {c["name"] for c in cols} for z in zero),
              f"table `{name}`: enum_zero is not a list of its columns")
        chunks = t.get("chunks")
        _need(isinstance(chunks, list), f"table `{name}`: chunks is not a list")
        total = 0
        for c in chunks:
            _need(isinstance(c, dict), f"table `{name}`: a chunk is not an object")
            f = _rel_path(c.get("file"), f"table `{name}`: chunk file")
            _need(f.startswith("data/") and f.count("/") == 1, f"table `{name}`: chunk file {f!r} is not in data/")
            _need(f not in files, f"chunk file {f!r} is listed twice")
            files.add(f)
            _count(c.get("rows"), f"{f}: rows")
            _count(c.get("bytes"), f"{f}: bytes")
            _count(c.get("max_statement_bytes", 0), f"{f}: max_statement_bytes")
            _need(isinstance(c.get("enum_zero", False), bool), f"{f}: enum_zero is not true/false")
            _need(isinstance(c.get("xxh3_128"), str) and len(c["xxh3_128"]) == 32 and _HEX.match(c["xxh3_128"]),
                  f"{f}: xxh3_128 is not 32 hex digits")
            _need(isinstance(c.get("fingerprint"), str) and _HEX.match(c["fingerprint"]),
                  f"{f}: fingerprint is not hex")
            total += c["rows"]
        _need(total == t["rows"], f"table `{name}`: rows {t['rows']} is not the sum of its chunks' rows ({total})")
    order = data.get("load_order", [])
    _need(isinstance(order, list) and all(isinstance(x, str) for x in order), "`load_order` is not a list of names")
    for key, value in (data.get("files") or {}).items():
        if value is not None:
            _rel_path(value.rstrip("/") if isinstance(value, str) else value, f"files.{key}")
    others = data.get("other_files", [])
    _need(isinstance(others, list), "`other_files` is not a list")
    for o in others:
        _need(isinstance(o, dict), "an entry of `other_files` is not an object")
        f = _rel_path(o.get("file"), "other_files: file")
        _need(f not in files, f"file {f!r} is listed twice")
        files.add(f)
        _count(o.get("bytes"), f"{f}: bytes")
        _need(isinstance(o.get("xxh3_128"), str), f"{f}: xxh3_128 is not a string")


def _check_server(data: dict) -> None:
    dbs = data.get("databases")
    _need(isinstance(dbs, list), "`databases` is not a list")
    names: set[str] = set()
    dirs: set[str] = set()
    for i, e in enumerate(dbs):
        _need(isinstance(e, dict), f"databases[{i}] is not an object")
        _text(e.get("name"), f"databases[{i}].name")
        _need(e["name"] not in names, f"database `{e['name']}` is listed twice")
        names.add(e["name"])
        sub = _rel_path(e.get("directory"), f"database `{e['name']}`: directory")
        _need(sub not in dirs, f"directory {sub!r} is listed twice")
        dirs.add(sub)
        for key in ("tables", "rows", "bytes"):
            _count(e.get(key, 0), f"database `{e['name']}`: {key}")


def check_paths(directory: Path, data: dict) -> None:
    """Every file the manifest names lies inside ``directory`` with no symlink on the way."""
    root = os.path.realpath(directory)
    if "databases" in data and "tables" not in data:
        rels = [e["directory"] for e in data["databases"]]
    else:
        rels = [c["file"] for t in data["tables"] for c in t["chunks"]]
        rels += [o["file"] for o in data.get("other_files", [])]
        rels += [v.rstrip("/") for v in (data.get("files") or {}).values() if isinstance(v, str)]
    for rel in rels:
        path = directory
        for part in rel.split("/"):
            path = path / part
            if path.is_symlink():
                raise DumpIntegrityError(f"{directory}: {rel} is (or passes through) a symlink ({path} -> "
                                         f"{os.readlink(path)}); a dump holds plain files only",
                                         hint="copy the dump without symlinks; nothing was read or written")
        real = os.path.realpath(directory / rel)
        if os.path.commonpath([root, real]) != root:
            raise DumpIntegrityError(f"{directory}: {rel} lies outside the dump directory")
