"""Builds dumpcore's one compiled module, the Cython row encoder.

Metadata lives in pyproject.toml; this file only owns the extension build and its
flags. DUMPCORE_DEBUG=1 builds with line tracing and an annotated HTML report.
"""
import os
import shlex
import subprocess

from setuptools import Extension, setup


def mariadb_flags() -> tuple[list[str], list[str]]:
    """Include dirs and libraries of the system libmariadb (the one mysqlclient links):
    the encoder reads rows straight from mysqlclient's result."""
    for cmd in (["pkg-config", "--cflags", "--libs", "libmariadb"], ["mariadb_config", "--include", "--libs"]):
        try:
            flags = shlex.split(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        except (OSError, subprocess.CalledProcessError):
            continue
        return [f[2:] for f in flags if f.startswith("-I")], [f[2:] for f in flags if f.startswith("-l")]
    return ["/usr/include/mariadb"], ["mariadb"]


MARIADB_INCLUDES, MARIADB_LIBS = mariadb_flags()

debug = os.environ.get("DUMPCORE_DEBUG") == "1"

macros: list[tuple[str, str]] = []
directives = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "warn.unused": True,
}
if debug:
    macros.append(("CYTHON_TRACE", "1"))
    directives.update(linetrace=True, boundscheck=True, wraparound=True)

extensions = [
    Extension(
        "dumpcore.codec._encoder",
        ["dumpcore/codec/_encoder.pyx"],
        define_macros=macros,
        include_dirs=MARIADB_INCLUDES,
        # libdeflate's crc32: the rows' fingerprint terms; libsodium's keyed BLAKE2b: dump --mask
        libraries=MARIADB_LIBS + ["deflate", "sodium"],
        extra_compile_args=["-O3", "-Wall", "-Wno-unused-function"],
    )
]

try:
    from Cython.Build import cythonize
except ImportError:  # pragma: no cover - build-system requires Cython
    cythonize = None

setup(
    ext_modules=cythonize(extensions, compiler_directives=directives, annotate=debug)
    if cythonize
    else [],
)
