"""Packaging: the sdist carries what its tests need, the wheel carries the compiled encoder
but not the generated C, and both carry the LICENSE."""
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from conftest import REPO

# Built from the git checkout's tracked files; an unpacked sdist has no git to ask.
pytestmark = pytest.mark.skipif(not (REPO / ".git").exists(), reason="packaging is tested from a git checkout")


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """An sdist built from a clean copy of the tracked files, and a wheel built from that sdist
    (as pip does for a user), so neither sees this checkout's build output."""
    work = tmp_path_factory.mktemp("pkg")
    src = work / "src"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        if (REPO / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, src / rel)
    generated = REPO / "dumpcore" / "codec" / "_encoder.c"  # left by `make venv`'s in-place build
    if generated.exists():  # as in a developer's tree: it must still not ship
        shutil.copy2(generated, src / "dumpcore" / "codec" / "_encoder.c")
    out = work / "dist"
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(src)], check=True,
                   capture_output=True)
    sdist = next(out.glob("dumpcore-*.tar.gz"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(sdist)], check=True,
                   capture_output=True)
    return sdist, next(out.glob("dumpcore-*.whl"))


def test_sdist_has_the_tests_and_what_they_need_but_no_build_output(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    needed = [f for f in tracked if f.startswith(("tests/", "dumpcore/", "cli/", "bench/", "examples/", "docs/"))
              and not f.startswith("bench/work/")]
    assert needed and sorted(set(needed) - names) == []
    for f in ("LICENSE", "README.md", "Makefile", "setup.py", "pyproject.toml", "MANIFEST.in", ".ci/run"):
        assert f in names, f
    # build output: generated C and objects, which git does not track (bench/protocol_probe.c is source)
    assert not [n for n in names if n.endswith((".c", ".so", ".pyc")) and n not in tracked], "build output in the sdist"
    assert "dumpcore/codec/_encoder.c" not in names


def test_wheel_has_the_compiled_encoder_and_license_but_not_the_generated_c(dists):
    _, wheel = dists
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if n.startswith("dumpcore/codec/_encoder.") and n.endswith(".so")]
    assert not [n for n in names if n.endswith(".c")]
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    assert "dumpcore/cli/app.py" in names
    # the README's Prisma recipe: `dumpcore sample --write-prisma` writes this file out of the wheel
    assert "dumpcore/examples/school/schema.prisma" in names
    lic = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
    assert lic and "MIT License" in zipfile.ZipFile(wheel).read(lic[0]).decode()
    assert "Copyright (c) 2026 the dumpcore authors" in (REPO / "LICENSE").read_text()
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta


def test_wheel_has_every_module_of_every_stage_package(dists):
    """Every tracked module of every stage folder ships in the wheel (pyproject.toml lists the
    stage packages; one left out still ships today, only as package data, which setuptools warns
    is deprecated), so a user's `import dumpcore.<stage>.<module>` works from a wheel."""
    _, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "dumpcore"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    modules = [f for f in tracked if f.endswith(".py")]
    assert len(modules) > 40 and sorted(set(modules) - names) == []
