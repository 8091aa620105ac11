"""Codec: rows to SQL text (masked on the way by dump --mask's rules), and the scans that check
SQL text (the dump's statement shape, the restore's statement patterns). Compiled (_encoder.pyx and its .pxi parts) when built, else the
pure-Python reference (reference.py; a dump says so)."""
from __future__ import annotations

from . import reference
from .reference import KIND_HEX, KIND_NUMBER, KIND_STRING, encode_value

try:
    from ._encoder import encode_rows as _compiled_encode_rows
    from ._encoder import load_text as _compiled_load_text
    from ._encoder import count_patterns as _compiled_count_patterns
    from ._encoder import keep_freed_memory as _compiled_keep_freed_memory
    from ._encoder import scan_rows as _compiled_scan_rows
    from ._encoder import scan_statements as _compiled_scan_statements
    from ._encoder import RowMasker as _CompiledRowMasker
    from ._encoder import sort_digests as _compiled_sort_digests
    from ._encoder import binlog_row_keys as _compiled_binlog_row_keys
except ImportError:  # pragma: no cover - exercised only on a broken build
    _compiled_encode_rows = _compiled_load_text = _compiled_count_patterns = _compiled_keep_freed_memory = None
    _compiled_scan_rows = _compiled_scan_statements = _CompiledRowMasker = _compiled_sort_digests = None
    _compiled_binlog_row_keys = None

COMPILED = _compiled_encode_rows is not None
SLOW_ENCODER_WARNING = ("dumpcore's compiled encoder is not built, rows are encoded by the slow pure-Python "
                        "encoder: reinstall with `make venv` or `pip install .` (the build needs libmariadb-dev, "
                        "pkg-config, build-essential, libdeflate-dev, libsodium-dev)")

if COMPILED:
    encode_rows = _compiled_encode_rows
    load_text = _compiled_load_text
    count_patterns = _compiled_count_patterns
    keep_freed_memory = _compiled_keep_freed_memory
    scan_rows = _compiled_scan_rows
    scan_statements = _compiled_scan_statements
    RowMasker = _CompiledRowMasker
    sort_digests = _compiled_sort_digests
    binlog_row_keys = _compiled_binlog_row_keys
else:  # pragma: no cover
    encode_rows = reference.encode_rows
    load_text = reference.load_text
    count_patterns = reference.count_patterns
    keep_freed_memory = reference.keep_freed_memory
    scan_rows = reference.scan_rows
    scan_statements = reference.scan_statements
    RowMasker = reference.RowMasker
    sort_digests = reference.sort_digests
    binlog_row_keys = reference.binlog_row_keys


def fallback_warning() -> str | None:
    """One line for the user where rows are about to be encoded by the pure-Python
    fallback (not at import: commands that encode nothing stay quiet); None when compiled."""
    return None if COMPILED else SLOW_ENCODER_WARNING


__all__ = ["encode_rows", "load_text", "count_patterns", "keep_freed_memory", "scan_rows",
           "scan_statements", "RowMasker", "sort_digests", "binlog_row_keys", "encode_value", "reference", "COMPILED", "fallback_warning", "KIND_NUMBER", "KIND_STRING", "KIND_HEX"]
