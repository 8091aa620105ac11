"""Restoring from a seed hook (``prisma db seed`` after ``prisma migrate reset``).

A fresh checkout or a new developer machine has no backup yet: ``restore --missing-ok``
says so and succeeds, so the seed step does not fail. A backup that exists but is
damaged or incomplete is never "missing": restore checks it and fails as usual.
"""
from __future__ import annotations

import os
from pathlib import Path


def missing_backup(directory: str | os.PathLike) -> str | None:
    """A one-line note when there is no backup at ``directory`` (absent, or an empty
    directory); None when there is something there to restore (or to refuse)."""
    path = Path(directory)
    if not path.exists():
        return f"no backup at {path}: nothing restored (--missing-ok)"
    if path.is_dir() and not any(path.iterdir()):
        return f"no backup at {path} (empty directory): nothing restored (--missing-ok)"
    return None
