"""The manifest: what a dump holds, written last and atomically as ``manifest.json``.

It names the source, the snapshot time, the load order and cycles, and per table the
columns, the upsert key, the row count and every chunk with its size, XXH3-128 and
content fingerprint. The manifest carries an XXH3-128 of its own canonical JSON, so an
edited manifest is told apart from a damaged chunk.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from ..errors import DumpIntegrityError
from .hashing import chunk_hasher
from .manifest_check import check_paths, check_shape
from ..records import record

FORMAT = "dumpcore-dump"
SERVER_FORMAT = "dumpcore-server-dump"  # several databases, each a dump in its own subdirectory
FORMAT_VERSION = 1
COMPRESSED_FORMAT_VERSION = 2  # chunks may be .sql.zst: a reader of version 1 would send zstd frames as SQL
# Fingerprints are sums of hashing.row_hash (each table's "row_hash"), which the server can compute: a
# reader of versions 1-2 would compare them with XXH3 sums and call every restore of it wrong
ROW_HASH_FORMAT_VERSION = 3
READABLE_VERSIONS = (FORMAT_VERSION, COMPRESSED_FORMAT_VERSION, ROW_HASH_FORMAT_VERSION)
MANIFEST_NAME = "manifest.json"
SELF_HASH_FIELD = "manifest_xxh3_128"


def format_version(compressed: bool) -> int:
    """The format version a dump is written with (compressed or not: since version 3 the
    fingerprints are row_hash sums, which earlier readers cannot check)."""
    return ROW_HASH_FORMAT_VERSION


def _is_rows(v) -> bool:
    """A list of objects (tables, files, chunks): written and hashed an item at a time."""
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _canonical_parts(data: dict) -> Iterator[str]:
    """The canonical JSON of ``data`` without its own hash (keys sorted at every level, no
    spaces), in pieces: a list of objects an item at a time, so that the manifest of 50,000
    tables (~60 MB of JSON) is never one string, nor one bytes, in memory. The pieces joined
    are ``json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    def dumps(v) -> str:
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    yield "{"
    for i, k in enumerate(sorted(k for k in data if k != SELF_HASH_FIELD)):
        v = data[k]
        yield ("," if i else "") + dumps(k) + ":"
        if _is_rows(v):
            yield "["
            for j, x in enumerate(v):
                yield ("," if j else "") + dumps(x)
            yield "]"
        else:
            yield dumps(v)
    yield "}"


def canonical_hash(data: dict) -> str:
    """XXH3-128 of the manifest's canonical JSON (its self-hash), fed a piece at a time."""
    h = chunk_hasher()
    for part in _canonical_parts(data):
        h.update(part.encode("utf-8"))
    return h.hexdigest()


def render_parts(data: dict) -> Iterator[str]:
    """The manifest as its file holds it, in pieces: a key a line, and a list's items
    (tables, files) a line each. Each line is made by json's C encoder (an indented dump is
    Python's own, which took 0.3 s of a dump of 1,000 small tables)."""
    yield "{\n"
    for i, (k, v) in enumerate(data.items()):
        yield ("" if not i else ",\n") + f" {json.dumps(k, ensure_ascii=False)}: "
        if _is_rows(v):
            yield "[\n  "
            for j, x in enumerate(v):
                yield ("" if not j else ",\n  ") + json.dumps(x, ensure_ascii=False)
            yield "\n ]"
        else:
            yield json.dumps(v, ensure_ascii=False)
    yield "\n}\n"


def render(data: dict) -> str:
    return "".join(render_parts(data))


def write_manifest(directory: Path, data: dict) -> Path:
    """Write manifest.json under a temp name, fsync, rename; written a piece at a time."""
    data = dict(data)
    data[SELF_HASH_FIELD] = canonical_hash(data)
    target = directory / MANIFEST_NAME
    tmp = directory / f".{MANIFEST_NAME}.tmp"
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as f:
        for part in render_parts(data):
            f.write(part)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


@record
class Manifest:
    directory: Path
    data: dict

    @property
    def tables(self) -> list[dict]:
        return self.data["tables"]

    @property
    def database(self) -> str:
        return self.data["database"]

    def table(self, name: str) -> dict | None:
        """The entry of table ``name`` (None: not in the dump): a dict lookup, built again
        when ``tables`` changed, so looking up every table costs the same per table at
        50,000 tables as at 10."""
        tables = self.tables
        index = self.__dict__.get("_index")
        if index is None or index[0] is not tables or index[1] != len(tables):
            index = (tables, len(tables), {t["name"]: t for t in reversed(tables)})  # the first of a name wins
            self.__dict__["_index"] = index
        entry = index[2].get(name)
        if entry is not None and entry["name"] == name:
            return entry
        self.__dict__.pop("_index", None)  # an entry renamed in place: look again
        return next((t for t in tables if t["name"] == name), None)

    def chunks(self):
        """(table entry, chunk entry) for every chunk, in load order."""
        for t in self.tables:
            for c in t["chunks"]:
                yield t, c


def read_manifest(directory: str | os.PathLike, formats: tuple[str, ...] = (FORMAT,)) -> Manifest:
    """Read and check a dump's manifest; DumpIntegrityError names what is wrong."""
    directory = Path(directory)
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise DumpIntegrityError(f"{directory}: not a dump directory (no such directory)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DumpIntegrityError(f"{path}: missing; this is not a complete dumpcore dump",
                                 hint="a dump that stopped half-way has no manifest; dump again") from None
    except UnicodeDecodeError:
        raise DumpIntegrityError(f"{path}: not a dumpcore manifest (not UTF-8 text)") from None
    except OSError as exc:  # its strerror only: str(exc) would name the file a second time
        raise DumpIntegrityError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DumpIntegrityError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") not in formats:
        if isinstance(data, dict) and data.get("format") in (FORMAT, SERVER_FORMAT):
            raise DumpIntegrityError(f"{path}: a {data['format']} manifest, where a {' or '.join(formats)} is needed")
        raise DumpIntegrityError(f"{path}: not a dumpcore manifest")
    if data.get("format_version") not in READABLE_VERSIONS:
        raise DumpIntegrityError(f"{path}: format version {data.get('format_version')} is not supported "
                                 f"(this dumpcore reads {', '.join(map(str, READABLE_VERSIONS[:-1]))} and {READABLE_VERSIONS[-1]})")
    if data.get(SELF_HASH_FIELD) != canonical_hash(data):
        raise DumpIntegrityError(f"{path}: content does not match its own hash; the manifest was edited or damaged")
    check_shape(data)  # the hash tells damage, not a crafted manifest: types, ranges and paths
    check_paths(directory, data)
    return Manifest(directory, data)


def read_any_manifest(directory: str | os.PathLike) -> Manifest:
    """A database dump's or a whole-server dump's manifest, checked."""
    return read_manifest(directory, (FORMAT, SERVER_FORMAT))
