"""The hidden ``.<name>.partial-<pid>`` directory a dump is built in, and its leftovers.

A dump is written in a sibling partial directory and renamed into place when complete.
A dump that is killed (``kill -9``, power loss) cannot remove it, so the next dump to the
same ``-o`` does: a partial directory is removed only when its process is gone AND no
process holds its lock (the dump holds an ``flock`` on the directory for as long as it
runs). One still in use is named and left alone.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import OutputError
from ..store.private import make_private_tree, private_dir

_PARTIAL_RE = re.compile(r"\.partial-(\d+)$")


def partial_path(out: Path) -> Path:
    """Where this process builds the dump that becomes ``out``."""
    return out.resolve().parent / f".{out.name}.partial-{os.getpid()}"


class PartialDir:
    """The partial directory of this dump, 0700, locked while this process lives."""

    def __init__(self, out: Path):
        self.path = partial_path(out)
        shutil.rmtree(self.path, ignore_errors=True)  # our own pid: a leftover of a reused pid
        private_dir(self.path)
        self._fd: int | None = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def publish(self, out: Path) -> None:
        """Make every file private (0600) and rename the finished dump to ``out``. The
        files are on disk already (the dump fsyncs each); here the directories are, before
        and after the rename, so a dump reported complete is still there, under its name,
        after a crash."""
        make_private_tree(self.path)
        for dirpath, _, _ in os.walk(self.path):
            sync_dir(dirpath)
        if out.exists():
            out.rmdir()  # checked empty before the dump began; rename needs the name free
        os.replace(self.path, out)
        sync_dir(out.resolve().parent)


def sync_dir(path: str | os.PathLike) -> None:
    """fsync a directory: the names in it (new files, renames) on disk. A file system that
    cannot sync a directory (EINVAL) keeps them by other means; a directory this process
    may write into but not open (a parent without read permission) is left to the file
    system's next commit rather than failing a dump that is complete."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except PermissionError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


@contextmanager
def building(out: Path) -> Iterator[PartialDir]:
    """The partial directory a dump that becomes ``out`` is built in, locked while the
    block runs. On any failure it is removed for good, and an OSError becomes one
    OutputError; the block ends with ``publish(out)``."""
    built: PartialDir | None = None
    try:
        built = PartialDir(out)
        yield built
    except OSError as exc:
        remove_partial(partial_path(out))
        raise OutputError(f"cannot write the dump to {out}: {exc.strerror or exc}",
                          hint="check the path, free space and permissions") from None
    except BaseException:
        remove_partial(partial_path(out))
        raise
    finally:
        if built is not None:
            built.release()


def remove_partial(path: Path, attempts: int = 20) -> None:
    """Remove a failed dump's partial directory for good. The dump's chunk sink is
    abandoned first (no background rename into it); should anything still add a file
    while rmtree runs (then rmtree leaves a non-empty directory behind), it is tried
    again until the directory is gone."""
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    """Whether a process of that id runs (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _locked(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def sweep_partials(out: Path) -> list[str]:
    """Remove partial directories of earlier dumps to ``out`` whose process is gone.

    Returns one message per leftover found (removed, or left alone because it is in use).
    """
    parent = out.resolve().parent
    prefix = f".{out.name}.partial-"
    notes: list[str] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return notes
    for entry in sorted(entries):
        if not entry.name.startswith(prefix):
            continue
        m = _PARTIAL_RE.search(entry.name)
        if not m or entry.is_symlink() or not entry.is_dir() or entry.name[len(prefix):] != m.group(1):
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        if pid_alive(pid) or _locked(entry):
            notes.append(f"{entry} belongs to a dump that is still running (process {pid}); left alone")
            continue
        try:
            size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file() and not f.is_symlink())
        except OSError:
            size = 0
        shutil.rmtree(entry, ignore_errors=True)
        if entry.exists():
            notes.append(f"{entry} was left by a dump that was killed (process {pid} is gone) and could not be "
                         "removed; remove it by hand")
        else:
            notes.append(f"removed {entry} ({size:,} bytes), left by a dump that was killed "
                         f"(process {pid} is gone)")
    return notes
