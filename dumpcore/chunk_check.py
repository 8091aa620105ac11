"""Every statement of every chunk is the INSERT its table's manifest entry says, before any write.

Chunk hashes catch damage; they do not catch a crafted dump whose manifest was re-hashed.
So the restore's pre-flight also reads each chunk as statements and requires each to be
exactly ``INSERT INTO <its table> (<its columns>) VALUES ...`` with the upsert clause of
its key, and nothing after it: a statement for another table, a second statement hidden
behind a ``;``, or a changed ON DUPLICATE KEY clause is refused before anything is
written. (Expressions inside the VALUES rows are not parsed, for speed: see README,
Reliability.)
"""
from __future__ import annotations

from pathlib import Path

from .chunks import iter_chunk_statements, statement_parts
from .errors import DumpIntegrityError
from .hashing import chunk_hasher
from .manifest import Manifest


def chunk_problems(directory: Path, m: Manifest, entries: list[dict]) -> list[str]:
    """One line per chunk holding a statement its table's entry does not allow."""
    form = m.data.get("upsert_form") or ""
    problems = []
    for e in entries:
        head, tail = statement_parts(e["name"], [c["name"] for c in e["columns"]], e.get("key") or [], form)
        end = tail[:-2]  # the reader strips the final ';\n'
        for c in e["chunks"]:
            for n, stmt in enumerate(iter_chunk_statements(directory / c["file"], chunk_hasher()), 1):
                body = stmt[len(head):len(stmt) - len(end)]
                if not stmt.startswith(head) or not stmt.endswith(end) or len(stmt) < len(head) + len(end) + 2:
                    problems.append(f"{c['file']}: statement {n} is not an INSERT of table `{e['name']}` with the "
                                    "dumped columns and upsert clause")
                    break
                if b";\n" in body or b"\nON DUPLICATE KEY UPDATE " in body or b"\nAS " in body:
                    problems.append(f"{c['file']}: statement {n} holds more than the rows of one INSERT")
                    break
    return problems


def require_plain_inserts(directory: Path, m: Manifest, entries: list[dict]) -> None:
    problems = chunk_problems(directory, m, entries)
    if problems:
        raise DumpIntegrityError(f"{directory}: chunks hold statements the manifest does not allow, nothing was "
                                 "written: " + "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
