"""``dumpcore cat``: a dump directory as one SQL stream in load order, each chunk's hash
checked before it is emitted, so ``dumpcore cat DIR | mariadb DB`` is a verified restore
with nothing but the client. The stream has the same form as ``dump --stdout``; compressed
chunks are emitted decompressed, each chunk's stored hash checked before it is."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from ..dump.chunks import STREAM_END, ChunkInfo, chunk_trailer, stream_table_marker
from ..store.compression import decompressed_chunk
from ..errors import DumpIntegrityError, StreamClosedError
from ..store.hashing import hash_bytes
from ..connect.connection import server_flavour
from ..records import field, record
from ..schema.sqltext import comment_text
from ..schema.scripts import DISABLE_STATEMENTS, ENABLE_STATEMENTS, render, replay_guard, replay_guard_supported
from .verify import require_intact


@record
class CatSummary:
    chunks: int
    rows: int
    bytes: int
    warnings: list[str] = field(default_factory=list)


def _checked(directory: Path, rel: str, digest: str) -> bytes:
    data = (directory / rel).read_bytes()
    if hash_bytes(data) != digest:
        raise DumpIntegrityError(f"{rel}: xxh3_128 does not match the manifest; the stream stops here, incomplete")
    return data


def cat_dump(directory: str | Path, out: BinaryIO | None = None, append: bool = False) -> CatSummary:
    """Write the dump in ``directory`` to ``out`` (default: stdout) as one SQL stream.
    Unless ``append``, a keyless table's rows follow a guard that stops the client when the
    table already holds rows (scripts.replay_guard; MariaDB dumps only, said in ``warnings``)."""
    directory = Path(directory)
    out = out if out is not None else sys.stdout.buffer
    m = require_intact(directory)  # the whole dump first: a damaged dump emits nothing
    other = {f["file"]: f["xxh3_128"] for f in m.data.get("other_files", [])}
    files = m.data.get("files") or {}
    summary = CatSummary(0, 0, 0)
    source = m.data.get("source") or {}
    flavour = source.get("flavour") or server_flavour(source.get("server_version", ""))
    guard = not append and replay_guard_supported(flavour)
    if not append and not guard and any(not e["idempotent"] and e["chunks"] for e in m.tables):
        summary.warnings.append(f"`{m.database}`: keyless tables are not guarded against loading this SQL twice (a "
                                "dump of MySQL, which has no anonymous compound statement to check them)")
    try:
        out.write(render(DISABLE_STATEMENTS, f"dumpcore cat of {comment_text(str(directory))} (`{comment_text(m.database)}`, snapshot "
                                             f"{m.data.get('snapshot_at')})").encode())
        if files.get("schema"):
            out.write(_checked(directory, files["schema"], other[files["schema"]]))
        if guard:  # before the first row: a refused replay loads nothing
            out.write(replay_guard([e["name"] for e in m.tables if not e["idempotent"] and e["chunks"]]))
        for entry in m.tables:
            out.write(stream_table_marker(entry["name"]))
            for c in entry["chunks"]:
                data = _checked(directory, c["file"], c["xxh3_128"])  # each chunk checked again as it is read
                if "uncompressed_bytes" in c:
                    decompressed_chunk(data, c["file"], c["uncompressed_xxh3_128"], out.write)
                else:
                    out.write(data)
                # the trailer describes the SQL in the stream: `verify` of the stream checks it
                out.write(chunk_trailer(ChunkInfo(c["file"], entry["name"], c["seq"], c["rows"],
                                                  c.get("uncompressed_bytes", c["bytes"]),
                                                  c.get("uncompressed_xxh3_128", c["xxh3_128"]),
                                                  int(c["fingerprint"], 16))))
                summary.chunks += 1
                summary.rows += c["rows"]
                summary.bytes += c.get("uncompressed_bytes", c["bytes"])
        for kind in ("triggers", "events", "views"):  # after the data, in the dump's order
            if files.get(kind):
                out.write(_checked(directory, files[kind], other[files[kind]]))
        out.write(render(ENABLE_STATEMENTS, "settings restored").encode())
        out.write(STREAM_END)
        out.flush()
    except BrokenPipeError:
        raise StreamClosedError("the reader of the SQL stream went away before the stream was complete") from None
    return summary
