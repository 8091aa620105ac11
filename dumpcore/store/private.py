"""Private files: a dump, a journal, rejected rows and saved triggers hold production data.

Directories are created 0700 and files 0600, whatever the process umask, so no other
user of the machine can read them. Every writer of such files (dump, restore state,
compression, whole-server dumps) uses these helpers.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike, parents: bool = False) -> Path:
    """Create ``path`` as a 0700 directory (an existing one is made 0700 too, if it is ours)."""
    path = Path(path)
    if parents and not path.parent.exists():
        private_dir(path.parent, parents=True)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    if path.stat().st_uid == os.geteuid():
        os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def open_private(path: str | os.PathLike, mode: str = "wb", **kwargs) -> IO:
    """``open(path, mode)`` for writing or appending, the file created (or kept) 0600."""
    if not any(c in mode for c in "wax"):
        raise ValueError(f"open_private is for writing, not mode {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    if "x" in mode:
        flags |= os.O_EXCL
    elif "w" in mode:
        flags |= os.O_TRUNC
    if "a" in mode:
        flags |= os.O_APPEND
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # a file that existed keeps its old mode otherwise
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: str | os.PathLike, data: str | bytes) -> None:
    """Write a whole file, 0600."""
    if isinstance(data, str):
        with open_private(path, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        with open_private(path, "wb") as f:
            f.write(data)


def make_private_tree(root: str | os.PathLike) -> None:
    """Directories 0700 and files 0600 under ``root`` (itself included); symlinks are left alone.

    Used on a dump's hidden partial directory before it is renamed into place: the
    directory is 0700 from its creation, so no file under it was ever readable by others.
    """
    root = Path(root)
    os.chmod(root, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                os.chmod(p, DIR_MODE)
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                os.chmod(p, FILE_MODE)
