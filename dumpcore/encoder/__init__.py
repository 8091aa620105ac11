"""Row encoder: the compiled one when built, else the pure-Python reference (with a warning)."""
from __future__ import annotations

import warnings

from . import reference
from .reference import KIND_HEX, KIND_NUMBER, KIND_STRING, encode_value

try:
    from ._encoder import encode_rows as _compiled_encode_rows
except ImportError:  # pragma: no cover - exercised only on a broken build
    _compiled_encode_rows = None

COMPILED = _compiled_encode_rows is not None

if COMPILED:
    encode_rows = _compiled_encode_rows
else:  # pragma: no cover
    warnings.warn("dumpcore's compiled encoder is not built; using the slow pure-Python encoder "
                  "(reinstall with `make` or `pip install -e .`)", RuntimeWarning, stacklevel=2)
    encode_rows = reference.encode_rows

__all__ = ["encode_rows", "encode_value", "reference", "COMPILED", "KIND_NUMBER", "KIND_STRING", "KIND_HEX"]
