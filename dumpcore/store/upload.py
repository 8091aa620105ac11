"""A dump into object storage (``-o s3://bucket/prefix``).

The dump is made as a directory dump, in a staging directory kept per URL under the
user's cache (store/objectstore.cache_dir); each chunk file is uploaded as soon as it is
stored (store/objectstore.Uploader), the rest once the dump is complete, the manifest last
(store/objectstore.publish_dump): the prefix holds a whole dump or no manifest. A dump
that fails deletes what it uploaded. The dump
code itself does not know where its bytes go. A dump killed before the upload leaves the
staging directory, removed by the next dump to the same URL; one killed during the upload
leaves objects without a manifest, and the next dump to that prefix refuses with how to
remove them (store/objectstore.check_empty). While it runs, the prefix also holds the
records ``restore --follow`` reads (store/follow.py), deleted once the manifest is stored.
"""
from __future__ import annotations

import fcntl
import os
import shutil

from ..connect.connection import ConnectionOptions
from ..errors import OutputError
from ..dump.dump import DumpOptions, DumpProgress, DumpSummary, dump_to_directory
from ..records import replace
from . import objectstore
from .private import private_dir


def dump_to_store(options: ConnectionOptions, database: str, url: str, opts: DumpOptions | None = None,
                  progress: DumpProgress | None = None, endpoint_url: str | None = None) -> DumpSummary:
    """Dump ``database`` to the object-storage prefix ``url``: staged, then published manifest last."""
    loc = objectstore.open_location(url, endpoint_url)
    objectstore.check_empty(loc)
    stage = private_dir(objectstore.cache_dir("staging", loc.url), parents=True)
    lock = os.open(stage, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another dump to {loc.url} is running on this machine (it holds {stage})",
                              hint="wait for it, or dump to another prefix") from None
        local = stage / "dump"
        shutil.rmtree(local, ignore_errors=True)  # a staged dump of a run that was killed before its upload
        uploader = objectstore.Uploader(loc)  # chunks go up while the dump is written
        try:
            summary = dump_to_directory(options, database, local, opts, progress, listener=uploader)
            uploader.finish()
            objectstore.publish_dump(local, loc, uploader.uploaded)
        except BaseException:
            uploader.abandon()
            raise
        finally:
            shutil.rmtree(local, ignore_errors=True)
        uploader.forget_records()  # published: restore --follow reads the manifest now
    finally:
        os.close(lock)
    return replace(summary, output=loc.url)
