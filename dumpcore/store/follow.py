"""Following a dump while it is written (``restore --follow``): the records a dump leaves
for a follower, and the follower that reads them.

A dump has no manifest until it is complete (it is published last), so while it runs it
leaves small records beside its files, in ``.follow/`` of its partial directory (a local
dump) or of its prefix (object storage): ``head.json`` once the schema files are
written -- the manifest as far as it is known before the rows (load order, every table's
columns and key, no chunks) and the size and XXH3-128 of each file written so far --
and a record per chunk once it is stored: its name and its manifest entry (rows, bytes,
XXH3-128, content fingerprint, key range), one ``cNNNNNN.json`` object each in object
storage, one line each of ``chunks.jsonl`` in a local dump (appended: a file and a rename
per chunk cost a dump of 1,000 small tables a tenth of its wall). A local dump removes its records
before it writes its manifest; a dump to storage deletes them once the manifest is stored.

The follower (``Follower``) waits for the head, copies the files it names into a local
directory of its own (hard links for a local dump, downloads checked against the record's
hash for storage), and hands each chunk to the restore as its record appears. Once the
manifest appears it is read and checked as any restore reads it, every chunk loaded so
far is matched against it by table and hash (rows, fingerprint and key range must be the
manifest's too), the chunks not loaded yet follow, and the restore proves every table
against the final manifest. A dump that stops without a manifest (its process is gone,
or nothing new for ``timeout`` seconds) stops the follower with one line.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Callable

from ..dump.partials import pid_alive
from ..errors import DumpIntegrityError, RestoreError
from .manifest import MANIFEST_NAME, FORMAT, Manifest, read_manifest
from .manifest_check import check_shape
from .private import open_private, private_dir

RECORDS = ".follow"
HEAD = f"{RECORDS}/head.json"
CHUNK_LOG = f"{RECORDS}/chunks.jsonl"  # a local dump's chunk records, one JSON line each
POLL = 0.2  # seconds between looks for new records
DEFAULT_TIMEOUT = 600.0
_PARTIAL_RE = re.compile(r"\.partial-(\d+)$")
# manifest entry fields that are known only once a table's rows are dumped
_RESULT_FIELDS = {"rows", "bytes", "chunks", "max_statement_bytes", "max_allowed_packet", "generated_fingerprint",
                  "stored_generated"}


# ---------------------------------------------------------------------------
# The dump's side


def head_record(manifest: dict, files: dict[str, tuple[int, str]]) -> bytes:
    """The head: the manifest before the rows, and the files written so far (name -> size, hash)."""
    return json.dumps({"manifest": manifest, "files": {n: list(v) for n, v in files.items()}}).encode()


def chunk_record(name: str, table: str, chunk: dict) -> bytes:
    """A stored chunk: its name now, its table and its manifest entry."""
    return json.dumps({"file": name, "table": table, "chunk": chunk}).encode()


class LocalRecords:
    """The records of a local dump, in ``<partial>/.follow/`` (the dump's StoredFiles
    listener): the head written under a temporary name and renamed, so a follower never
    reads half of it; the chunks' records appended to one file, a whole line in one write
    (a follower reads complete lines only)."""

    def __init__(self, root: Path):
        self.root = root
        self._log = None  # CHUNK_LOG, unbuffered, opened with the first chunk
        self._lock = threading.Lock()

    def _write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        with open_private(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def began(self, root: Path, head: bytes) -> None:
        self._write(HEAD, head)

    def stored(self, name: str, path: Path, info) -> None:
        """``info``: the chunk's ChunkInfo (dump/chunks.py)."""
        line = chunk_record(name, info.table, info.to_dict()) + b"\n"
        with self._lock:
            if self._log is None:
                (self.root / RECORDS).mkdir(exist_ok=True)
                self._log = open_private(self.root / CHUNK_LOG, "ab", buffering=0)
            written = self._log.write(line)
            if written != len(line):  # a regular file takes a small write whole, or fails
                raise OSError(f"{self.root / CHUNK_LOG}: a short write ({written} of {len(line)} bytes)")

    def renamed(self, old: str, new: str) -> None:
        pass  # a follower matches the chunks it loaded with the manifest's by their hash

    def finishing(self) -> None:
        """Before the manifest: the records go (a published dump holds none)."""
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
        shutil.rmtree(self.root / RECORDS, ignore_errors=True)


# ---------------------------------------------------------------------------
# The follower's side: where the records and files come from


class _LocalSource:
    """A local dump being written as ``.<name>.partial-<pid>`` beside ``out``."""

    def __init__(self, out: Path):
        self.out = out
        self.url = str(out)
        self.partial: Path | None = None
        self.pid: int | None = None
        self.dead: int | None = None  # the process of a partial directory left by a dump that is gone
        self._lines: list[bytes] = []  # CHUNK_LOG's complete lines read so far
        self._read_to = 0  # ... and how far into it

    def _find(self) -> None:
        if self.partial is not None and self.partial.is_dir():
            return
        self._lines, self._read_to = [], 0  # another dump's records, if any
        parent, prefix = self.out.resolve().parent, f".{self.out.name}.partial-"
        found = []
        try:
            for entry in parent.iterdir():
                m = _PARTIAL_RE.search(entry.name)
                if entry.name.startswith(prefix) and m and (entry / HEAD).is_file():
                    if pid_alive(int(m.group(1))):
                        found.append((entry.stat().st_mtime, entry, int(m.group(1))))
                    else:
                        self.dead = int(m.group(1))
        except OSError:
            return
        if found:
            _, self.partial, self.pid = max(found)

    def manifest(self) -> bytes | None:
        try:
            return (self.out / MANIFEST_NAME).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def read(self, name: str) -> bytes | None:
        if name.startswith(CHUNK_LOG + ":"):
            return self._lines[int(name.rsplit(":", 1)[1])]
        self._find()
        if self.partial is None:
            return None
        try:
            return (self.partial / name).read_bytes()
        except FileNotFoundError:
            return None

    def records(self) -> list[str]:
        """The chunk records so far: ``CHUNK_LOG:<n>`` for its n-th complete line (a dump
        of an older version: its ``cNNNNNN.json`` files)."""
        self._find()
        if self.partial is None:
            return []
        try:
            with open(self.partial / CHUNK_LOG, "rb") as f:
                f.seek(self._read_to)
                new = f.read()
            whole = new[: new.rfind(b"\n") + 1]  # a line being written is read next time
            self._lines += whole.splitlines()
            self._read_to += len(whole)
        except (FileNotFoundError, NotADirectoryError):
            pass
        try:
            older = sorted(f"{RECORDS}/{n}" for n in os.listdir(self.partial / RECORDS) if n.endswith(".json")
                           and n.startswith("c"))
        except (FileNotFoundError, NotADirectoryError):
            older = []
        return older + [f"{CHUNK_LOG}:{i}" for i in range(len(self._lines))]

    def fetch(self, name: str, size: int, digest: str, dest: Path, final: bool = False) -> bool:
        """Link the file into ``dest`` (copied where a link cannot be made); False when it is
        gone from the partial directory (published meanwhile: fetched from the dump then)."""
        src = (self.out if final else self.partial) / name  # type: ignore[operator]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        try:
            os.link(src, dest)
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copyfile(src, dest)
            except FileNotFoundError:
                return False
        return True

    def gone(self) -> str | None:
        """Why the dump is known to have stopped (its process is gone), or None."""
        if self.pid is not None and not pid_alive(self.pid):
            return f"its process {self.pid} is gone"
        return None

    def left(self) -> str | None:
        """Before any dump was found: why one that was written is known to have stopped."""
        self._find()
        if self.partial is None and self.dead is not None:
            return f"its process {self.dead} is gone"
        return None


class _StoreSource:
    """A dump being written to object storage (store/upload.py)."""

    def __init__(self, loc, local: Path):
        self.loc = loc
        self.url = loc.url
        self.local = local

    def manifest(self) -> bytes | None:
        return self.loc.read_bytes(MANIFEST_NAME)

    def read(self, name: str) -> bytes | None:
        return self.loc.read_bytes(name)

    def records(self) -> list[str]:
        return sorted(n for n in self.loc.list(f"{RECORDS}/") if PurePosixPath(n).name.startswith("c"))

    def fetch(self, name: str, size: int, digest: str, dest: Path, final: bool = False) -> bool:
        from .objectstore import _fetch_file

        try:
            _fetch_file(self.loc, self.local, name, size, digest)
        except DumpIntegrityError as exc:
            if "missing" in exc.message and not final:
                return False  # a renamed part: the manifest names it, fetched then
            raise
        return True

    def gone(self) -> str | None:
        return None

    def left(self) -> str | None:
        return None


# ---------------------------------------------------------------------------
# The follower


def follow_dir(target: str | os.PathLike, endpoint_url: str | None = None) -> Path:
    """The local directory a follower keeps its copy and its journal in: for a URL the one
    a restore of it fetches into (so a restore of the complete dump resumes there), for a
    local dump one of its own under the user's cache."""
    from .objectstore import cache_dir, is_url

    if is_url(target):
        return cache_dir("fetched", str(target).rstrip("/"))
    return cache_dir("follow", str(Path(target).resolve()))


def _safe_name(name, what: str) -> str:
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name or "\x00" in name \
            or ".." in PurePosixPath(name).parts:
        raise DumpIntegrityError(f"{what}: names {str(name)[:80]!r}, not a path inside the dump")
    return name


class Follower:
    """Follows the dump being written at ``target`` into the local directory ``local``.

    ``start()`` waits for the head and returns the manifest as far as it is known (its
    files in ``local``); ``feed(add, check, on_final, stopped)`` then hands each chunk to
    ``add`` as it is stored (``check`` first: hash and statements, raising on damage),
    and once the manifest is there calls ``on_final(final manifest)`` and hands the rest.
    """

    def __init__(self, target: str | os.PathLike, local: Path, endpoint_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, poll: float = POLL):
        from .objectstore import is_url, open_location

        self.local = local
        self.timeout = timeout
        self.poll = poll
        if is_url(target):
            self.source: _LocalSource | _StoreSource = _StoreSource(open_location(target, endpoint_url), local)
        else:
            self.source = _LocalSource(Path(target))
        self.url = self.source.url
        self.head: dict | None = None
        self.manifest: Manifest | None = None
        self.loaded: list[tuple[str, dict]] = []  # (table, chunk) handed to the restore
        self._seen: set[str] = set()
        self._last_news = time.monotonic()
        self._final_raw: bytes | None = None
        self._head_files: dict[str, tuple[int, str]] = {}
        self.complete_at_start = False  # the manifest was there before the follower started
        # (table, the manifest's chunk) of chunks loaded before their stored generated
        # columns' sum was known: proven for those after the load (restore.py)
        self.generated_later: list[tuple[str, dict]] = []

    def release(self) -> None:
        """After the restore: a local dump's chunks linked into the follower's directory
        are unlinked (they would keep the dump's space when the dump is removed)."""
        if isinstance(self.source, _LocalSource):
            shutil.rmtree(self.local / "data", ignore_errors=True)

    # -- waiting -----------------------------------------------------------
    def _stopped_error(self, why: str) -> RestoreError:
        tables = len({t for t, _ in self.loaded})
        rows = sum(c["rows"] for _, c in self.loaded)
        return RestoreError(f"--follow: the dump to {self.url} stopped without a manifest ({why}); "
                            f"{len(self.loaded):,} chunk(s), {rows:,} rows of {tables} table(s) were handed to the "
                            "restore and stay in the target",
                            hint="dump again, then restore with --cleanup (or --resume once a dump is complete)")

    def _waited(self) -> None:
        """Raise when the dump is known to have stopped, or nothing came for ``timeout``."""
        why = self.source.gone()
        if why is None and time.monotonic() - self._last_news > self.timeout:
            why = f"nothing new for {self.timeout:g} s (--follow-timeout)"
        if why is not None and self.source.manifest() is None:
            raise self._stopped_error(why)

    def start(self, stopped: Callable[[], bool] = lambda: False) -> Manifest:
        """The manifest before the rows (or the final one, when the dump is complete already)."""
        private_dir(self.local, parents=True)
        shutil.rmtree(self.local / "data", ignore_errors=True)  # chunk files of an earlier follow
        self._last_news = time.monotonic()
        while True:
            raw = self.source.manifest()
            if raw is not None:  # complete already: followed from its manifest alone
                self._final_raw = raw
                data = json.loads(raw)
                break
            head = self.source.read(HEAD)
            if head is not None:
                try:
                    rec = json.loads(head)
                    data = rec["manifest"]
                    files = rec["files"]
                    self._head_files = {n: (int(v[0]), str(v[1])) for n, v in files.items()}
                    check_shape(data)
                except (ValueError, KeyError, TypeError, DumpIntegrityError) as exc:
                    raise DumpIntegrityError(f"{self.url}/{HEAD}: not a dumpcore follow record ({exc})") from None
                (self.local / MANIFEST_NAME).unlink(missing_ok=True)  # an older dump's, fetched before
                for name, (size, digest) in files.items():
                    _safe_name(name, f"{self.url}/{HEAD}")
                    self._fetch_checked(name, size, digest, self.local / name)
                break
            if stopped():
                raise RestoreError("--follow: stopped")
            self._waited_start()
            time.sleep(self.poll)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DumpIntegrityError(f"{self.url}: not a dump of one database; --follow reads a dump of one database")
        self.head = data
        if self._final_raw is not None:
            with ThreadPoolExecutor(max_workers=8, thread_name_prefix="follow") as pool:
                self.manifest = self._finish(pool)
            self.head = self.manifest.data
            self.complete_at_start = True
            return self.manifest
        for t in data["tables"]:
            t["chunks"] = []
        self.manifest = Manifest(self.local, data)
        return self.manifest

    def _fetch_checked(self, name: str, size: int, digest: str, dest: Path) -> None:
        """A file into ``dest``, its hash checked (a download is checked as it arrives)."""
        from .hashing import hash_file

        if isinstance(self.source, _StoreSource) and dest.exists():
            if hash_file(dest) == (digest, size):
                return
            dest.unlink()
        if not self.source.fetch(name, size, digest, dest, final=self._final_raw is not None):
            raise DumpIntegrityError(f"{self.url}/{name}: missing; the dump names it")
        # a local chunk is hashed by the restore's check, in the read that checks its statements
        if isinstance(self.source, _LocalSource) and not name.startswith("data/") and hash_file(dest) != (digest, size):
            raise DumpIntegrityError(f"{self.url}/{name}: its bytes differ from what the dump says of it",
                                     hint="the dump is damaged; restore from another dump")

    def _waited_start(self) -> None:
        why = self.source.left()
        if why is not None and self.source.manifest() is None:
            raise self._stopped_error(why)
        if time.monotonic() - self._last_news > self.timeout:
            raise RestoreError(f"--follow: no dump is being written to {self.url} (nothing for {self.timeout:g} s)",
                               hint="start `dumpcore dump -o ...` first (or with it), or raise --follow-timeout")

    # -- feeding -----------------------------------------------------------
    def _new_records(self) -> list[dict]:
        names = [n for n in self.source.records() if n not in self._seen]
        out = []
        for name in names:
            raw = self.source.read(name)
            if raw is None:
                continue  # removed as the dump published: its chunk comes with the manifest
            self._seen.add(name)
            try:
                rec = json.loads(raw)
                _safe_name(rec["file"], f"{self.url}/{name}")
                if not rec["file"].startswith("data/"):
                    raise DumpIntegrityError(f"{self.url}/{name}: names {rec['file']!r}, not a chunk under data/")
                rec["chunk"]["file"] = rec["file"]
                out.append(rec)
            except (ValueError, KeyError, TypeError) as exc:
                raise DumpIntegrityError(f"{self.url}/{name}: not a dumpcore follow record ({exc})") from None
        return out

    def feed(self, add: Callable[[dict, dict], None], check: Callable[[dict, dict, Path], None],
             on_final: Callable[[Manifest], None], stopped: Callable[[], bool],
             wanted: Callable[[str], bool] = lambda t: True) -> None:
        assert self.manifest is not None
        m = self.manifest
        if self.complete_at_start:  # complete before the follower started: every chunk from its manifest
            on_final(m)
            for e, c in m.chunks():
                if wanted(e["name"]):
                    check(e, c, self.local / c["file"])
                    add(e, c)
            return
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="follow") as pool:
            while self._final_raw is None:
                if stopped():
                    return
                new = self._new_records()
                if new:
                    self._last_news = time.monotonic()
                recs = [r for r in new if m.table(r["table"]) is not None and wanted(r["table"])]
                for r in recs:  # each field of the chunk's entry as a manifest's is checked
                    check_shape({"database": m.database, "tables": [
                        {**m.table(r["table"]), "rows": r["chunk"].get("rows"), "chunks": [r["chunk"]]}]})
                if recs:
                    futures = [pool.submit(self.source.fetch, r["file"], r["chunk"]["bytes"], r["chunk"]["xxh3_128"],
                                           self.local / r["file"]) for r in recs]
                    for rec, fut in zip(recs, futures):
                        if not fut.result():
                            continue
                        entry = m.table(rec["table"])
                        check(entry, rec["chunk"], self.local / rec["file"])
                        self.loaded.append((rec["table"], rec["chunk"]))
                        add(entry, rec["chunk"])
                    continue
                if new:
                    continue
                raw = self.source.manifest()
                if raw is not None:
                    self._final_raw = raw
                    break
                self._waited()
                time.sleep(self.poll)
            if stopped():
                return
            final = self._finish(pool)
        on_final(final)
        rest = self._unloaded(final, wanted)
        for e, c in rest:
            check(m.table(e["name"]), c, self.local / c["file"])
            add(m.table(e["name"]), c)

    # -- the manifest --------------------------------------------------------
    def _finish(self, pool: ThreadPoolExecutor) -> Manifest:
        """Every file the manifest lists in ``local`` (those loaded under a part's name linked
        to their final one), the manifest written there and read with every check."""
        raw = self._final_raw
        assert raw is not None
        try:
            data = json.loads(raw)
            listed = [(c["file"], c["bytes"], c["xxh3_128"]) for t in data["tables"] for c in t["chunks"]]
            listed += [(f["file"], f["bytes"], f["xxh3_128"]) for f in data.get("other_files", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DumpIntegrityError(f"{self.url}/{MANIFEST_NAME}: not a dumpcore manifest") from None
        by_hash = {c["xxh3_128"]: self.local / c["file"] for _, c in self.loaded}
        todo = []
        for name, size, digest in listed:
            _safe_name(name, f"{self.url}/{MANIFEST_NAME}")
            dest = self.local / name
            have = by_hash.get(digest)
            if have is None or not have.exists():
                todo.append((name, size, digest, dest))  # every file not loaded, checked as it comes
            elif have != dest:
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.unlink(missing_ok=True)
                os.link(have, dest)  # the same bytes (the same hash), under the manifest's name
        for fut in [pool.submit(self._fetch_checked, *t) for t in todo]:
            fut.result()
        with open_private(self.local / f".{MANIFEST_NAME}.part", "wb") as f:
            f.write(raw)
        os.replace(self.local / f".{MANIFEST_NAME}.part", self.local / MANIFEST_NAME)
        final = read_manifest(self.local)  # its own hash, shape and paths, as any restore reads it
        self._check_head(final)
        return final

    def _check_head(self, final: Manifest) -> None:
        """What the follower used before the manifest must be the manifest's: the tables,
        their columns and keys, and the files it ran (schema.sql)."""
        head = self.head or {}
        if head is final.data:
            return
        others = {f["file"]: (f["bytes"], f["xxh3_128"]) for f in final.data.get("other_files", [])}
        for name, (size, digest) in self._head_files.items():
            if others.get(name) != (size, digest):
                raise DumpIntegrityError(f"{self.url}: {name} is not the one the dump announced in {HEAD} (the "
                                         "restore ran that one); nothing more is loaded")
        names = [t["name"] for t in head.get("tables", [])]
        if names != [t["name"] for t in final.tables]:
            raise DumpIntegrityError(f"{self.url}: the manifest's tables are not those the dump announced "
                                     f"in {HEAD}; nothing more is loaded")
        for t in head["tables"]:
            f = final.table(t["name"])
            differs = sorted(k for k in set(t) | set(f) if k not in _RESULT_FIELDS and t.get(k) != f.get(k))
            if differs:
                raise DumpIntegrityError(f"{self.url}: table `{t['name']}`: the manifest's {', '.join(differs)} "
                                         f"differ(s) from what the dump announced in {HEAD}; nothing more is loaded")

    def _unloaded(self, final: Manifest, wanted: Callable[[str], bool]) -> list[tuple[dict, dict]]:
        """Every chunk loaded so far matched with one of the manifest's (table, hash, and the
        same rows, fingerprint and key range); the manifest's chunks not loaded yet."""
        left: dict[tuple[str, str], list[dict]] = {}
        for e, c in final.chunks():
            left.setdefault((e["name"], c["xxh3_128"]), []).append(c)
        for table, c in self.loaded:
            same = left.get((table, c["xxh3_128"]))
            if not same:
                raise DumpIntegrityError(f"{self.url}: chunk {c['file']} of `{table}` was loaded while following, "
                                         "and the manifest does not list it",
                                         hint="restore again with --cleanup from the complete dump")
            mine = same.pop()
            # the stored generated columns' sum is taken once the table's rows are all dumped
            differs = sorted(k for k in set(c) | set(mine) if k not in ("file", "seq", "generated_fingerprint")
                             and c.get(k) != mine.get(k))
            if differs:
                raise DumpIntegrityError(f"{self.url}: chunk {c['file']} of `{table}`: its {', '.join(differs)} "
                                         "differ(s) from the manifest's",
                                         hint="restore again with --cleanup from the complete dump")
            if mine.get("generated_fingerprint") is not None:
                self.generated_later.append((table, mine))
        return [(final.table(t), c) for (t, _), cs in left.items() for c in cs if wanted(t)]

