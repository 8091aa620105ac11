"""The package layout (issue #21, "The house"): the folders read as the pipeline, the README's
pipeline table names them, each third-party library is imported by one module, and no module
depends on the order others were imported in. Read from the sources, so nothing here needs a server."""
import ast
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "dumpcore"
CLI = REPO / "cli"  # installed as dumpcore.cli

# The one module allowed to import each library (README, Pipeline; /work/shared/STYLE.md).
THIRD_PARTY_HOME = {
    "MySQLdb": "dumpcore/connect/connection.py",
    "sqlglot": "dumpcore/schema/sqltext.py",
    "xxhash": "dumpcore/store/hashing.py",
    "zstandard": "dumpcore/store/compression.py",
}


def stages() -> list[Path]:
    """The stage subpackages: every folder of dumpcore/ that is a package."""
    return sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))


def sources() -> list[Path]:
    """Every Python source of the installed package: dumpcore/ and cli/."""
    return sorted(p for root in (PACKAGE, CLI) for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    if path.is_relative_to(CLI):
        parts = ("dumpcore", "cli") + path.relative_to(CLI).with_suffix("").parts
    else:
        parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """Absolute names of the modules a source imports (relative imports resolved). With
    top_level_only, only those run when the module is imported (not inside functions or classes)."""
    tree = ast.parse(path.read_text(), str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and top_level_only:
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)  # `from pkg import module`
            visit(ast.iter_child_nodes(node))
    visit(tree.body)
    return found


def test_each_third_party_library_is_imported_by_exactly_one_module():
    importers: dict[str, list[str]] = {lib: [] for lib in THIRD_PARTY_HOME}
    for path in sources():
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in importers:
                importers[top].append(str(path.relative_to(REPO)))
    # The compiled codec is Cython, not Python: a Python-level import there counts too.
    cython_import = re.compile(r"^\s*(?:c?import|from)\s+(" + "|".join(THIRD_PARTY_HOME) + r")\b", re.M)
    for path in sorted(PACKAGE.rglob("*.p[yx][xi]")):
        for lib in cython_import.findall(path.read_text()):
            importers[lib].append(str(path.relative_to(REPO)))
    assert {lib: sorted(set(paths)) for lib, paths in importers.items()} == \
        {lib: [home] for lib, home in THIRD_PARTY_HOME.items()}


def test_every_module_imports_alone_in_a_fresh_interpreter():
    """No module needs another to have been imported first (an import cycle that only works in
    one order would fail here for the module imported first)."""
    modules = sorted({module_name(p) for p in sources()} | {"dumpcore.codec._encoder"})

    def import_alone(module: str) -> tuple[str, str]:
        proc = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, cwd=REPO)
        return module, proc.stderr.strip().splitlines()[-1] if proc.returncode else ""
    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = {module: error for module, error in pool.map(import_alone, modules) if error}
    assert len(modules) > 50 and failed == {}


def test_the_modules_import_each_other_without_a_cycle():
    """What a module imports when it is loaded (not inside functions) forms no cycle, so no
    import order matters; the lazy imports inside functions are the way to depend backwards."""
    graph = {}
    for path in sources():
        name = module_name(path)
        graph[name] = imported_modules(path, top_level_only=True)
    known = set(graph)
    graph = {name: {m for m in deps if m in known and m != name} for name, deps in graph.items()}
    cycles = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        for dep in sorted(graph[node]):
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(node)
    for node in sorted(graph):
        if node not in done:
            visit(node, [node])
    assert cycles == []


def test_a_stage_package_imports_nothing_from_the_other_stages():
    """Importing one module of a stage runs the stage's __init__.py first: if that imported
    other stages, their modules would load in an order no one chose."""
    names = {path.name for path in stages()}
    for stage in stages():
        others = {m.split(".")[1] for m in imported_modules(stage / "__init__.py")
                  if m.startswith("dumpcore.") and m.split(".")[1] in names} - {stage.name}
        assert others == set(), stage.name
        assert ast.get_docstring(ast.parse((stage / "__init__.py").read_text())), f"{stage.name}: says its job"


def test_no_stage_holds_more_than_a_dozen_modules_and_none_is_left_flat():
    for stage in stages():
        assert len([p for p in stage.glob("*.py") if p.name != "__init__.py"]) <= 12, stage.name
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "errors.py", "records.py"]


def pipeline_table() -> dict[str, set[str]]:
    """The README's "## Pipeline" table: folder -> the modules its row names."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Pipeline\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and "`dumpcore/" in line]
    table = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]  # stage | folder | modules | job
        folder = re.fullmatch(r"`dumpcore/(\w+)/`", cells[1])
        assert folder, row
        table[folder.group(1)] = set(re.findall(r"`(\w+\.pyx?)`", cells[2]))
    return table


def test_the_readme_pipeline_table_names_exactly_the_folders_and_their_modules():
    table = pipeline_table()
    assert sorted(table) == sorted(stage.name for stage in stages())
    for stage in stages():
        modules = {p.name for p in stage.glob("*.py") if p.name != "__init__.py"} | {p.name for p in stage.glob("*.pyx")}
        assert table[stage.name] == modules, stage.name


def test_every_public_name_resolves_from_a_fresh_import():
    """`import dumpcore` stays lazy (tests/test_startup.py); each name in __all__ still resolves
    to the object of the module _EXPORTS (or _RENAMED) names."""
    probe = ("import importlib, dumpcore\n"
             "for name, (module, attr) in dumpcore._WHERE.items():\n"
             "    assert getattr(dumpcore, name) is getattr(importlib.import_module('dumpcore.' + module), attr)\n"
             "from dumpcore import *\n"
             "print(len(dumpcore.__all__), sorted(set(dumpcore.__all__) - set(globals())))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL).stdout.split(maxsplit=1)
    assert int(out[0]) >= 25 and out[1].strip() == "[]"
