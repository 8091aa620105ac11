"""Row encoder: the compiled one when built, else the pure-Python reference (with a warning)."""
from __future__ import annotations

import warnings

from . import reference
from .reference import KIND_HEX, KIND_NUMBER, KIND_STRING, encode_value

try:
    from ._encoder import encode_rows as _compiled_encode_rows
    from ._encoder import load_text as _compiled_load_text
except ImportError:  # pragma: no cover - exercised only on a broken build
    _compiled_encode_rows = _compiled_load_text = None

COMPILED = _compiled_encode_rows is not None

if COMPILED:
    encode_rows = _compiled_encode_rows
    load_text = _compiled_load_text
else:  # pragma: no cover
    warnings.warn("dumpcore's compiled encoder is not built; using the slow pure-Python encoder "
                  "(reinstall with `make` or `pip install -e .`)", RuntimeWarning, stacklevel=2)
    encode_rows = reference.encode_rows
    load_text = reference.load_text

__all__ = ["encode_rows", "load_text", "encode_value", "reference", "COMPILED", "KIND_NUMBER", "KIND_STRING", "KIND_HEX"]
