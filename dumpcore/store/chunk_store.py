"""A chunk store: many dumps of a database sharing their chunk files by content.

``STORE/dumps/NAME`` is a plain dump directory (every command takes it as one); its chunk
files are hard links of ``STORE/chunks/XX/<xxh3_128><suffix>``, the file named by the hash
of its bytes, so a chunk that did not change is on disk once however many dumps name it.
``intern`` links a finished dump's chunks into the store (a chunk already there replaces
the dump's copy by a link to it). ``collect`` deletes the dumps asked, then every chunk
that no manifest of ``STORE/dumps`` names and no dump links: a chunk another dump names
is never deleted.

Copying ``STORE/dumps/NAME`` (``cp -r``, rsync without ``-H``) gives an independent plain
dump directory.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..errors import OutputError, UsageError
from ..records import field, record
from .manifest import MANIFEST_NAME, read_manifest
from .private import private_dir

DUMPS, CHUNKS = "dumps", "chunks"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def dump_names(store: Path) -> list[str]:
    """The complete dumps of a store (those with a manifest), oldest snapshot first."""
    found = []
    for d in sorted((store / DUMPS).iterdir()) if (store / DUMPS).is_dir() else []:
        if d.is_dir() and not d.name.startswith(".") and (d / MANIFEST_NAME).is_file():
            try:
                snapshot = json.loads((d / MANIFEST_NAME).read_text(encoding="utf-8")).get("snapshot_at") or ""
            except ValueError:
                snapshot = ""
            found.append((snapshot, d.name))
    return [name for _, name in sorted(found)]


def new_dump_path(store: Path, name: str | None) -> Path:
    """Where a new dump of the store goes: ``STORE/dumps/NAME`` (default: the UTC time)."""
    name = name or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    if not _NAME_RE.fullmatch(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' and '-' (not first)")
    for sub in (DUMPS, CHUNKS):
        private_dir(store / sub, parents=True)
    path = store / DUMPS / name
    if path.exists():
        raise OutputError(f"{path} exists: the store holds a dump named {name}", hint="give another --name")
    return path


def resolve_since(store: Path, since: str) -> Path:
    """``latest`` (the newest dump of the store) or a dump's NAME, as its directory."""
    names = dump_names(store)
    if since == "latest":
        if not names:
            raise UsageError(f"--since latest: the store {store} holds no dump yet", hint="dump once without --since")
        return store / DUMPS / names[-1]
    if since not in names:
        raise UsageError(f"--since {since}: no dump of that name in {store}",
                         hint=f"it holds: {', '.join(names[-5:]) or 'none'}")
    return store / DUMPS / since


def _chunk_path(store: Path, digest: str, file: str) -> Path:
    suffix = file[file.index(".sql"):] if ".sql" in file else ""
    return store / CHUNKS / digest[:2] / f"{digest}{suffix}"


@record
class InternReport:
    """What ``intern`` did: chunks new to the store, and chunks it already held."""
    added: int = 0
    added_bytes: int = 0
    shared: int = 0
    shared_bytes: int = 0


def intern(store: Path, directory: Path) -> InternReport:
    """Link a dump's chunk files into the store by their hash (module docstring)."""
    m = read_manifest(directory)
    report = InternReport()
    for _, chunk in m.chunks():
        src = directory / chunk["file"]
        dst = _chunk_path(store, chunk["xxh3_128"], chunk["file"])
        if dst.is_file() and dst.stat().st_size == chunk["bytes"]:
            if not os.path.samefile(src, dst):
                tmp = src.with_name(f".{src.name}.link")
                os.link(dst, tmp)
                os.replace(tmp, src)  # the dump's copy becomes the store's file: same bytes, same hash
            report.shared += 1
            report.shared_bytes += chunk["bytes"]
            continue
        private_dir(dst.parent, parents=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}")
        os.link(src, tmp)
        os.replace(tmp, dst)
        report.added += 1
        report.added_bytes += chunk["bytes"]
    return report


@record
class CollectReport:
    """What ``collect`` deleted: dumps, and chunks no dump names any more."""
    deleted_dumps: list[str] = field(default_factory=list)
    deleted_chunks: int = 0
    freed_bytes: int = 0
    kept_chunks: int = 0

    def to_dict(self) -> dict:
        return {"deleted_dumps": self.deleted_dumps, "deleted_chunks": self.deleted_chunks,
                "freed_bytes": self.freed_bytes, "kept_chunks": self.kept_chunks}


def collect(store: Path, delete: list[str]) -> CollectReport:
    """Delete the dumps named, then the chunks that no remaining manifest names."""
    if not (store / CHUNKS).is_dir() or not (store / DUMPS).is_dir():
        raise UsageError(f"{store} is not a dumpcore store (no {DUMPS}/ and {CHUNKS}/)")
    names = dump_names(store)
    for name in delete:
        if name not in names:
            raise UsageError(f"--delete {name}: no dump of that name in {store}")
    report = CollectReport()
    for name in delete:
        shutil.rmtree(store / DUMPS / name)
        report.deleted_dumps.append(name)
    named: set[str] = set()
    for name in dump_names(store):  # every manifest left: what it names is kept, linked or not
        for _, chunk in read_manifest(store / DUMPS / name).chunks():
            named.add(_chunk_path(store, chunk["xxh3_128"], chunk["file"]).name)
    for path in sorted((store / CHUNKS).rglob("*")):
        if not path.is_file():
            continue
        st = path.stat()
        if path.name in named or st.st_nlink > 1:  # a dump names it, or links it (one being written)
            report.kept_chunks += 1
            continue
        path.unlink()
        report.deleted_chunks += 1
        report.freed_bytes += st.st_size
    return report
