"""Object storage: the only module that imports obstore.

A dump's location is either a local directory or a URL (``s3://bucket/prefix``, and the
other schemes obstore reads: ``gs://``, ``az://``, ``file://``). ``Location`` is the small
interface both share -- list, read in blocks, put a file, delete -- so the code that moves
a dump between the two (``publish_dump``, ``fetch_dump``) does not branch on where the
bytes go. obstore is imported where it is used, so a run on local directories does
not load it. The client is obstore (Rust's object_store): of the libraries measured against
the local S3 server it downloaded fastest (bench/README.md, levers).

Credentials come from the library's usual chain (``AWS_*`` environment variables, web
identity, container and instance roles); ``--endpoint-url`` points at an S3-compatible
server. No message of this module carries a credential: the library's text is passed
through ``_scrubbed`` first. Retries with exponential back-off are the library's
(``RETRY``), for throttling, 5xx answers and lost connections alike; a connection the
server's side closed mid-request the library reports at once, without its retries (as
"error sending request"), so each whole operation that can be repeated is repeated here
on that (``_again``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import DumpIntegrityError, OutputError, StorageError
from .hashing import chunk_hasher
from .manifest import MANIFEST_NAME
from .private import open_private, private_dir

URL_RE = re.compile(r"^(s3|s3a|gs|az|abfs|abfss|file)://", re.I)
IN_FLIGHT = 8  # files moved side by side; each large one is itself a multipart upload
PART_SIZE = 32 << 20  # multipart over this: a default 8 MiB chunk goes in one PUT (a multipart upload costs 3 more requests)
RETRY = {"max_retries": 6, "retry_timeout": timedelta(minutes=3),
         "backoff": {"init_backoff": timedelta(milliseconds=200), "max_backoff": timedelta(seconds=15), "base": 2}}
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_STORAGE_ACCOUNT_KEY",
                    "AZURE_STORAGE_SAS_KEY", "GOOGLE_SERVICE_ACCOUNT_KEY")


def is_url(target: str | os.PathLike) -> bool:
    """Whether ``target`` names object storage (``s3://...``) rather than a local path."""
    return isinstance(target, str) and bool(URL_RE.match(target))


def _scrubbed(text: str) -> str:
    """The library's message, first line, any credential of the environment cut out."""
    line = (str(text).strip().splitlines() or [""])[0].split(": <?xml")[0][:300]  # the body says no more
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            line = line.replace(value, "***")
    return line


# a lost connection the library gives up on at once; each whole operation is tried again
TRANSPORT_ERRORS = ("error sending request", "connection reset", "connection closed", "broken pipe",
                    "incompletemessage", "unexpected eof")
AGAIN = (0.2, 0.8, 3.2)  # seconds before each new try of an operation


def _again(url: str, what: str, attempt, rewind=None, missing: bool = False):
    """``attempt()``, tried again after AGAIN's pauses when the connection was lost (not
    for any other error: those are the library's to retry, or final); ``rewind()`` before
    each new try. The last failure becomes a StorageError; FileNotFoundError passes
    through when ``missing`` (the caller answers it)."""
    for pause in (*AGAIN, None):
        try:
            return attempt()
        except FileNotFoundError as exc:
            if missing:
                raise
            raise _storage_error(url, what, exc) from None
        except Exception as exc:  # the library's own error classes, each made one line
            if pause is None or not any(t in str(exc).lower() for t in TRANSPORT_ERRORS):
                raise _storage_error(url, what, exc) from None
        time.sleep(pause)
        if rewind is not None:
            rewind()


def _storage_error(url: str, what: str, exc: BaseException) -> StorageError:
    return StorageError(f"{url}: cannot {what} ({type(exc).__name__}: {_scrubbed(str(exc))})",
                        hint="check the URL, --endpoint-url and the credentials in the environment")


@dataclass
class Location:
    """A dump's place: ``url`` (as the user gave it) and the store under its prefix."""

    url: str
    store: object  # an obstore store rooted at the prefix

    def list(self, under: str | None = None) -> dict[str, int]:
        """Every object under the prefix (and under ``under`` in it): its name relative to
        the prefix -> size."""
        import obstore

        def attempt() -> dict[str, int]:
            found: dict[str, int] = {}
            for batch in obstore.list(self.store, prefix=under, chunk_size=1000):
                for meta in batch:
                    found[meta["path"]] = meta["size"]
            return found
        try:
            return _again(self.url, "list the objects", attempt, missing=True)
        except FileNotFoundError:
            return {}

    def read_bytes(self, name: str) -> bytes | None:
        """A small object's bytes, or None when there is none."""
        import obstore

        try:
            return _again(self.url, f"read {name}", lambda: bytes(obstore.get(self.store, name).bytes()), missing=True)
        except FileNotFoundError:
            return None

    def blocks(self, name: str) -> Iterator[bytes]:
        """An object's bytes as they arrive (bounded memory: one block at a time)."""
        import obstore

        try:
            for block in obstore.get(self.store, name).stream(min_chunk_size=1 << 20):
                yield bytes(block)
        except FileNotFoundError:
            raise DumpIntegrityError(f"{self.url}/{name}: missing; the manifest lists it") from None
        except DumpIntegrityError:
            raise
        except Exception as exc:
            raise _storage_error(self.url, f"read {name}", exc) from None

    def put_file(self, name: str, path: Path) -> None:
        """Upload a local file; one larger than PART_SIZE goes as a multipart upload."""
        with open(path, "rb") as f:
            self.put_open(name, f)

    def put_open(self, name: str, f: BinaryIO) -> None:
        """Upload an open file from its start (multipart over PART_SIZE, 4 parts at a time).
        One up to PART_SIZE is read whole and handed over as bytes: the library then reads
        no Python file object block by block (PART_SIZE x IN_FLIGHT of memory at most)."""
        import obstore

        start = f.tell()

        def attempt() -> None:
            size = os.fstat(f.fileno()).st_size
            obstore.put(self.store, name, f.read() if size <= PART_SIZE else f, chunk_size=PART_SIZE,
                        max_concurrency=4)
        _again(self.url, f"store {name}", attempt, rewind=lambda: f.seek(start))

    def put_bytes(self, name: str, data: bytes) -> None:
        """Store a small object whole (one PUT)."""
        import obstore

        _again(self.url, f"store {name}", lambda: obstore.put(self.store, name, data))

    def copy(self, src: str, dst: str) -> None:
        """A copy made by the server (no bytes through this machine)."""
        import obstore

        _again(self.url, f"copy {src} to {dst}", lambda: obstore.copy(self.store, src, dst))

    def delete(self, names: list[str]) -> None:
        import obstore

        if names:
            _again(self.url, "delete objects", lambda: obstore.delete(self.store, names))


def open_location(target: str | os.PathLike, endpoint_url: str | None = None) -> Location:
    """The location ``target`` names: a URL through obstore's URL parser (any scheme it
    reads), a local path as a LocalStore (the same interface, for tests and for copying)."""
    from obstore.store import LocalStore, from_url  # here: a local dump's start-up does not load it

    if not is_url(target):
        path = Path(target)
        path.mkdir(parents=True, exist_ok=True)
        return Location(str(path), LocalStore(prefix=path.resolve()))
    url = str(target).rstrip("/")
    options: dict = {}
    config: dict = {}
    if endpoint_url:
        config["endpoint"] = endpoint_url
        if endpoint_url.startswith("http://"):
            options["allow_http"] = True
    try:
        store = from_url(url, config=config or None, client_options=options or None, retry_config=RETRY)
    except Exception as exc:
        raise StorageError(f"{url}: not a storage URL dumpcore can open ({_scrubbed(str(exc))})",
                           hint="give s3://BUCKET/PREFIX (or gs://, az://)") from None
    return Location(url, store)


# ---------------------------------------------------------------------------
# A dump into storage: published last


def check_empty(loc: Location) -> None:
    """A dump goes only to an empty prefix: never over a dump, and a prefix with objects
    but no manifest is a dump that did not finish, named with how to remove it."""
    found = loc.list()
    if not found:
        return
    if MANIFEST_NAME in found:
        raise OutputError(f"{loc.url} holds a dump already", hint="choose another prefix; dumpcore never overwrites a dump")
    size = sum(found.values())
    raise OutputError(f"{loc.url} holds {len(found):,} objects ({size:,} bytes) and no {MANIFEST_NAME}: what a dump "
                      "that was stopped (or is still running) leaves",
                      hint=f"when no dump is running to it, remove them (aws s3 rm --recursive {loc.url}/) "
                           "and dump again")


class Uploader:
    """Uploads a dump's chunk files while the dump is written (the dump's StoredFiles
    listener), IN_FLIGHT at a time. A file is opened when the dump says it is stored, so the
    renames that follow (a parallel dump's parts, the dump directory itself) cannot lose
    it; at most 2 x IN_FLIGHT wait, beyond that the dump waits (a slow store holds it back
    instead of piling up open files). ``finish`` waits for them and gives the renamed parts
    their final names by server-side copies; ``abandon`` (a failed dump) deletes what was
    uploaded, so the prefix is left as it was found.

    For ``restore --follow`` (store/follow.py) it also stores the dump's head once its
    schema files are written (those first), and a record of each chunk once the chunk is
    stored; ``forget_records`` deletes them after the manifest is published."""

    def __init__(self, loc: Location):
        self.loc = loc
        self.uploaded: dict[str, int] = {}  # name on the store -> bytes
        self._renames: list[tuple[str, str]] = []
        self._futures: list = []
        self._lock = threading.Lock()
        self._room = threading.BoundedSemaphore(2 * IN_FLIGHT)
        self._pool = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="upload")
        self.records: list[str] = []  # restore --follow's records stored (store/follow.py)

    def began(self, root: Path, head: bytes) -> None:
        """The files the head names (schema.sql, ...), then the head."""
        from .follow import HEAD

        names = list(json.loads(head)["files"])
        with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="upload") as pool:
            for fut in [pool.submit(self.loc.put_file, n, root / n) for n in names]:
                fut.result()
        self.loc.put_bytes(HEAD, head)
        with self._lock:
            self.records.append(HEAD)

    def stored(self, name: str, path: Path, info=None) -> None:
        f = open(path, "rb")
        self._room.acquire()
        fut = self._pool.submit(self._put, name, f, info)
        fut.add_done_callback(lambda _: self._room.release())
        with self._lock:
            self._futures.append(fut)

    def _put(self, name: str, f: BinaryIO, info=None) -> None:
        from .follow import RECORDS, chunk_record

        with f:
            size = os.fstat(f.fileno()).st_size
            self.loc.put_open(name, f)
        with self._lock:
            self.uploaded[name] = size
            record = f"{RECORDS}/c{len(self.records):06d}.json"
            self.records.append(record)
        if info is not None:  # once the chunk is stored: a follower may fetch it
            self.loc.put_bytes(record, chunk_record(name, info.table, info.to_dict()))

    def finishing(self) -> None:
        pass  # the records go once the manifest is stored (forget_records)

    def forget_records(self) -> None:
        """After the manifest is published: the records for a follower are deleted."""
        with self._lock:
            names, self.records = self.records, []
        self.loc.delete(names)

    def renamed(self, old: str, new: str) -> None:
        with self._lock:
            self._renames.append((old, new))

    def _wait(self) -> None:
        try:
            for fut in self._futures:
                fut.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def finish(self) -> None:
        """Every upload done, every renamed part under its final name."""
        self._wait()
        moves = [(old, new) for old, new in self._renames if old in self.uploaded]
        with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="copy") as pool:
            for fut in [pool.submit(self.loc.copy, old, new) for old, new in moves]:
                fut.result()
        for old, new in moves:
            self.uploaded[new] = self.uploaded.pop(old)
        self.loc.delete([old for old, _ in moves])

    def abandon(self) -> None:
        """After a failed dump: wait for what is in flight, then delete all of it."""
        try:
            self._wait()
        except BaseException:
            pass  # the dump's own failure is the one reported
        try:
            self.loc.delete(sorted(set(self.uploaded) | {new for _, new in self._renames} | set(self.records)))
        except StorageError:
            pass


def publish_dump(local: Path, loc: Location, uploaded: dict[str, int] | None = None) -> int:
    """Upload the finished dump in ``local`` to ``loc``, IN_FLIGHT files at a time, and
    ``manifest.json`` last, once every other file is stored: a reader of the prefix sees a
    whole dump or none. ``uploaded``: files already stored (name -> bytes) while the dump
    was written, not sent again. Returns the bytes uploaded here."""
    uploaded = uploaded or {}
    files = sorted(p for p in local.rglob("*") if p.is_file() and p.name != MANIFEST_NAME
                   and uploaded.get(p.relative_to(local).as_posix()) != p.stat().st_size)
    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="upload") as pool:
        for fut in [pool.submit(loc.put_file, p.relative_to(local).as_posix(), p) for p in files]:
            fut.result()
    loc.put_file(MANIFEST_NAME, local / MANIFEST_NAME)
    return sum(p.stat().st_size for p in files) + (local / MANIFEST_NAME).stat().st_size


# ---------------------------------------------------------------------------
# A dump read from storage: each file hashed as it arrives


def cache_root() -> Path:
    """``$DUMPCORE_CACHE_DIR``, else ``$XDG_CACHE_HOME/dumpcore``, else ``~/.cache/dumpcore``."""
    if os.environ.get("DUMPCORE_CACHE_DIR"):
        return Path(os.environ["DUMPCORE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base and os.path.isabs(base) else Path.home() / ".cache") / "dumpcore"


def cache_dir(kind: str, url: str) -> Path:
    """The local directory kept for ``url`` (the same one each run: a restore resumes there)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    name = re.sub(r"[^\w.-]", "_", url.split("://", 1)[-1])[-48:]
    return cache_root() / kind / f"{name}-{digest}"


def _expected_files(manifest: dict) -> list[tuple[str, int, str]]:
    """(file, bytes, XXH3-128) of every file the manifest lists."""
    out = [(c["file"], c["bytes"], c["xxh3_128"]) for t in manifest.get("tables", []) for c in t.get("chunks", [])]
    out += [(f["file"], f["bytes"], f["xxh3_128"]) for f in manifest.get("other_files", [])]
    return out


def _fetch_file(loc: Location, local: Path, name: str, size: int, digest: str) -> int:
    """Download one file under a temporary name, hashing each block as it arrives; renamed
    into place only when its size and XXH3-128 match the manifest (so a file present in the
    copy is a checked one). Returns the bytes fetched."""
    final = local / name
    if final.exists():
        return 0  # checked on an earlier run
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.part")
    hasher, got = chunk_hasher(), 0
    with open_private(tmp, "wb") as f:
        for block in loc.blocks(name):
            hasher.update(block)
            got += len(block)
            f.write(block)
    if got != size or hasher.hexdigest() != digest:
        tmp.unlink(missing_ok=True)
        raise DumpIntegrityError(f"{loc.url}/{name}: {got:,} bytes with XXH3-128 {hasher.hexdigest()}, the manifest "
                                 f"says {size:,} bytes with {digest}; nothing was loaded",
                                 hint="the stored dump is damaged; restore from another dump")
    os.replace(tmp, final)
    return got


def fetch_dump(loc: Location, local: Path) -> tuple[Path, int]:
    """Copy the dump at ``loc`` into ``local``, every file checked against the manifest as
    it arrives (IN_FLIGHT at a time), the manifest written last. A copy of another dump
    under the same name (its manifest differs) is replaced; files already fetched and
    checked by an interrupted run are kept. Returns (local, bytes fetched)."""
    raw = loc.read_bytes(MANIFEST_NAME)
    if raw is None:
        raise DumpIntegrityError(f"{loc.url}/{MANIFEST_NAME}: missing; this is not a complete dumpcore dump",
                                 hint="a dump that stopped half-way has no manifest; dump again")
    try:
        manifest = json.loads(raw)
        files = _expected_files(manifest)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise DumpIntegrityError(f"{loc.url}/{MANIFEST_NAME}: not a dumpcore manifest") from None
    if manifest.get("format") != "dumpcore-dump":
        raise DumpIntegrityError(f"{loc.url}: a {manifest.get('format')} manifest; a dump of one database is needed "
                                 "(-B/-A dumps are not read from storage yet)")
    kept = local / MANIFEST_NAME
    if kept.exists() and kept.read_bytes() != raw:
        shutil.rmtree(local)  # the copy of an older dump under the same URL
    private_dir(local, parents=True)
    for name, _, _ in files:  # the manifest's own checks run on the copy; here: no path outside it
        if name.startswith("/") or ".." in Path(name).parts:
            raise DumpIntegrityError(f"{loc.url}/{MANIFEST_NAME}: lists {name!r}, a path outside the dump")
    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="fetch") as pool:
        futures = [pool.submit(_fetch_file, loc, local, *f) for f in files]
        try:
            fetched = sum(fut.result() for fut in futures)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    with open_private(local / f".{MANIFEST_NAME}.part", "wb") as f:
        f.write(raw)
    os.replace(local / f".{MANIFEST_NAME}.part", kept)
    return local, fetched + len(raw)


def local_dump(target: str | os.PathLike, endpoint_url: str | None = None) -> Path:
    """The local directory of the dump ``target`` names: a local path as it is; a URL
    fetched into its cache directory, every file checked against the manifest as it
    arrives (so a damaged chunk is found before anything is loaded). The copy is kept: an
    interrupted restore resumes from its journal there, and a second fetch skips the
    files already checked."""
    if not is_url(target):
        return Path(target)
    loc = open_location(target, endpoint_url)
    local, _ = fetch_dump(loc, cache_dir("fetched", loc.url))
    return local
