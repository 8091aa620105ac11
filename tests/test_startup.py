"""Start-up: what `dumpcore --version` and `import dumpcore` load (issue #11: <= 80 ms of
CPU). Measured in modules loaded, which does not depend on how busy the machine is."""
import subprocess
import sys

import dumpcore
from clirun import dumpcore as run_dumpcore

HEAVY = ("typer", "pydantic", "rich", "sqlglot", "MySQLdb", "xxhash", "dumpcore.connection", "dumpcore.encoder")


def loaded_after(code: str) -> list[str]:
    probe = code + f"\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return eval(out.strip().splitlines()[-1])  # noqa: S307 - our own probe's list of names


def test_version_prints_the_version_without_loading_the_cli_or_the_library():
    proc = run_dumpcore("--version")
    assert proc.returncode == 0 and proc.stdout.decode() == f"dumpcore {dumpcore.__version__}\n"
    assert loaded_after("import sys\nsys.argv = ['dumpcore', '--version']\n"
                        "from dumpcore.cli.entry import main\nmain()") == []


def test_import_dumpcore_is_lazy_and_its_names_still_resolve():
    assert loaded_after("import dumpcore") == []
    assert loaded_after("from dumpcore import UsageError") == []
    assert loaded_after("from dumpcore import ConnectionOptions") == ["MySQLdb", "dumpcore.connection"]
    from dumpcore import Sandbox, plan_ddl
    from dumpcore.plan import plan_ddl as direct
    assert plan_ddl is direct and Sandbox.__module__ == "dumpcore.sandbox"
    assert set(dumpcore.__all__) <= set(dir(dumpcore))
