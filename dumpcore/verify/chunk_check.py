"""Every statement of every chunk is the INSERT its table's manifest entry says, before any write.

Chunk hashes catch damage; they do not catch a crafted dump whose manifest was re-hashed.
So the restore's pre-flight also requires every statement of every chunk to be exactly
``INSERT INTO <its table> (<its columns>) VALUES ...`` with the upsert clause of its key,
and nothing after it: a statement for another table, a second statement hidden behind a
``;``, or a changed ON DUPLICATE KEY clause is refused before anything is written.

It counts byte patterns in one streamed pass per chunk instead of parsing (the compiled
``count_patterns``, one memchr walk over the newlines, in the same read that checks the
chunk's hash: ``StatementCheck``): in a chunk a raw newline only ever separates rows and
clauses (values escape theirs), so statement starts, heads, upsert clauses and
terminators can be counted exactly. Expressions inside the VALUES rows are not parsed (README, Reliability).
"""
from __future__ import annotations

from pathlib import Path

from ..dump.chunks import UPSERT_ROW_ALIAS, statement_parts, statement_prefix, statement_start
from ..store.compression import chunk_views
from ..codec import count_patterns
from ..dump.enum_zero import select_parts, setup_text
from ..errors import DumpIntegrityError
from ..store.hashing import chunk_hasher
from ..store.manifest import Manifest


def _patterns(head: bytes, end: bytes, prefix: str = "") -> dict[str, bytes]:
    return {"start": statement_start(prefix), "head": b"\n" + head, "term": b";\n", "endterm": end + b";\n",
            "odku": b"\nON DUPLICATE KEY UPDATE ", "as": b"\nAS "}


def _inner(head: bytes, tail: bytes, pats: dict[str, bytes]) -> dict[str, int]:
    """How many more times each pattern occurs per statement than the counts below expect,
    because a table or column name holds a newline (which a name may: it cannot be escaped
    inside backquotes); {} for every other table. Measured on one and two statements."""
    if b"\n" not in head[:-1] and tail.count(b"\n") <= 2:
        return {}
    one = head + b"(0)" + tail
    c1 = dict(zip(pats, count_patterns(one, tuple(pats.values()))))
    c2 = dict(zip(pats, count_patterns(one + one, tuple(pats.values()))))
    expected = {"start": 1, "head": 1, "term": 1, "endterm": 1, "odku": 1 if b"\nON DUPLICATE KEY UPDATE " in tail else 0,
                "as": 1 if b"\nAS " in tail else 0}
    return {k: c2[k] - c1[k] - expected[k] for k in pats}


# ';' ending a row's comment in an annotated dump (`(...), -- label;`), not a statement
_AFTER_COMMENT = {"row": b";\n(", "odku": b";\nON DUPLICATE KEY UPDATE ", "as": b";\nAS "}


def _count(path: Path, patterns: dict[str, bytes], head_len: int, tail_len: int,
           hasher=None) -> tuple[dict[str, int], bytes, bytes]:
    """Occurrences of each pattern in the chunk's SQL, streamed in blocks (a raw newline
    only ever separates rows and clauses: values escape theirs), plus its first and last
    bytes. ``hasher`` is fed the bytes as stored (the hash check in the same read). Each
    block is counted where it was read, after the bytes carried over from the one before
    (enough for a pattern that straddles the two): no allocation per block."""
    names = tuple(patterns)
    pats = tuple(patterns.values())
    counts = dict.fromkeys(names, 0)
    keep = max(max(len(p) for p in pats) - 1, tail_len)
    first = last = b""
    for view, carried in chunk_views(path, hasher if hasher is not None else chunk_hasher(), keep):
        if len(first) < head_len:
            first = bytes(view[:head_len])
        # matches within the carried bytes were counted last time
        for name, n, before in zip(names, count_patterns(view, pats), count_patterns(view[:carried], pats)):
            counts[name] += n - before
        if tail_len:  # copied now: the next step moves the carry over the buffer's front
            last = bytes(view[max(0, len(view) - tail_len):])
    return counts, first, last


class StatementCheck:
    """The check above done in the read that hashes each chunk: handed to
    ``verify.require_intact`` as its chunk reader, so a restore's pre-flight reads every
    chunk once. ``require()`` then raises for what the statements hold."""

    def __init__(self, tables: list[str] | None = None):
        self.tables = set(tables or ())  # empty: every table
        # chunk file -> its problem, and what could not be read: chunks are checked side by
        # side (verify_directory's threads), reported in the manifest's order
        self.problems: dict[str, str] = {}
        self.unreadable: dict[str, DumpIntegrityError] = {}
        self._parts: dict[str, tuple[bytes, bytes, dict[str, bytes]]] = {}
        self._manifest: Manifest | None = None

    def __call__(self, m: Manifest, entry: dict, chunk: dict, path: Path) -> str | None:
        """The XXH3-128 of the chunk as stored (None: not one of the checked tables)."""
        if self.tables and entry["name"] not in self.tables:
            return None
        self._manifest = m
        hasher = chunk_hasher()
        try:
            problem = _chunk_problem(m, entry, chunk, path, self._parts, hasher)
        except DumpIntegrityError as exc:  # does not decompress: hashed as stored, and raised after
            self.unreadable[chunk["file"]] = exc
            return None
        if problem:
            self.problems[chunk["file"]] = problem
        return hasher.hexdigest()

    def check_one(self, m: Manifest, entry: dict, chunk: dict, path: Path, where: str) -> None:
        """One chunk as it arrives (``restore --follow``): its hash and its statements,
        raising at once for either; ``where`` names it in the error."""
        digest = self(m, entry, chunk, path)
        if chunk["file"] in self.unreadable:
            raise self.unreadable.pop(chunk["file"])
        if digest is not None and digest != chunk["xxh3_128"]:
            raise DumpIntegrityError(f"{where}: its bytes differ from what the dump recorded (xxh3_128 {digest}, "
                                     f"recorded {chunk['xxh3_128']}); nothing of it was loaded",
                                     hint="the dump is damaged; restore from another dump (with --cleanup)")
        problem = self.problems.pop(chunk["file"], None)
        if problem:
            _raise(Path(where), [problem])

    def require(self, directory: Path) -> None:
        order = [c["file"] for _, c in self._manifest.chunks()] if self._manifest else []
        for f in order:
            if f in self.unreadable:
                raise self.unreadable[f]
        _raise(directory, [self.problems[f] for f in order if f in self.problems])


def _chunk_problem(m: Manifest, e: dict, c: dict, path: Path, cache: dict, hasher=None) -> str | None:
    parts = cache.get(e["name"])
    if parts is None:
        prefix = statement_prefix(e)
        head, tail = statement_parts(e["name"], [col["name"] for col in e["columns"]], e.get("key") or [],
                                     m.data.get("upsert_form") or "", prefix)
        pats = _patterns(head, tail[:-2], prefix)  # end: without the final ';\n'
        parts = cache[e["name"]] = (head, tail, pats, _inner(head, tail, pats))
    head, tail, pats, inner = parts
    key = e.get("key") or []
    form = m.data.get("upsert_form") or ""
    if e.get("enum_zero") and c.get("enum_zero"):
        return _enum_zero_problem(e, c, path, head, tail, pats, key, form, hasher)
    n_, first, last = _count(path, pats, len(head), len(tail), hasher)
    if inner and first:  # a name holding a newline: take out what each statement's own head and tail hold
        n = (n_["start"] + 1) // (inner["start"] + 1)
        n_ = {k: v - n * inner[k] for k, v in n_.items()}
    n = n_["start"] + 1 if first else 0  # statements: the first, then one per "\nINSERT INTO "
    terms = n_["term"]
    if terms != n:  # rare: only an annotated dump has other ';' + newline
        terms -= sum(_count(path, _AFTER_COMMENT, 0, 0)[0].values())
    if first != head or n_["head"] != n_["start"] or last != tail or n_["endterm"] != n:
        return (f"{c['file']}: a statement is not an INSERT of table `{e['name']}` with the "
                "dumped columns and upsert clause")
    if (n_["odku"] != (n if key else 0) or n_["as"] != (n if key and form == UPSERT_ROW_ALIAS else 0)
            or terms != n):
        return f"{c['file']}: a statement holds more than the rows of one INSERT"
    return None


def _enum_zero_problem(e: dict, c: dict, path: Path, head: bytes, tail: bytes, pats: dict[str, bytes],
                       key: list, form: str, hasher) -> str | None:
    """The check above for a chunk holding ENUM error values (dumpcore.dump.enum_zero): its INSERTs,
    plus once the exact statements that set up the temporary table, then rows each as an
    INSERT ... SELECT from it with the same columns and upsert clause."""
    columns = [col["name"] for col in e["columns"]]
    setup = setup_text(e["name"], list(e["enum_zero"]))
    select_head, select_end = select_parts(e["name"], columns, key, statement_prefix(e))
    pats = {**pats, "setup": setup, "select_head": b"\n" + select_head, "select_end": select_end}
    n_, first, last = _count(path, pats, max(len(head), len(setup)), max(len(tail), len(select_end)), hasher)
    selects = n_["select_head"]
    n = n_["start"] + (1 if first.startswith(head) else 0)  # INSERTs: the setup is followed by one
    plain = n - selects
    if (not (first.startswith(head) or first.startswith(setup)) or n_["head"] + selects != n_["start"]
            or n_["select_end"] != selects or n_["setup"] != (1 if selects else 0)
            or not (last.endswith(tail) or last.endswith(select_end))
            or n_["endterm"] != (n if select_end.endswith(tail) else plain) + (0 if key else 3 * n_["setup"])):
        return (f"{c['file']}: a statement is not an INSERT of table `{e['name']}` with the "
                "dumped columns and upsert clause, nor the setup of its ENUM error values")
    if (n_["odku"] != (n if key else 0) or n_["as"] != (plain if key and form == UPSERT_ROW_ALIAS else 0)
            or n_["term"] != n + 3 * n_["setup"]):
        return f"{c['file']}: a statement holds more than the rows of one INSERT"
    return None


def chunk_problems(directory: Path, m: Manifest, entries: list[dict]) -> list[str]:
    """One line per chunk holding a statement its table's entry does not allow."""
    cache: dict = {}
    return [p for e in entries for c in e["chunks"]
            if (p := _chunk_problem(m, e, c, directory / c["file"], cache)) is not None]


def _raise(directory: Path, problems: list[str]) -> None:
    if problems:
        raise DumpIntegrityError(f"{directory}: chunks hold statements the manifest does not allow, nothing was "
                                 "written: " + "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))


def require_plain_inserts(directory: Path, m: Manifest, entries: list[dict]) -> None:
    _raise(directory, chunk_problems(directory, m, entries))
