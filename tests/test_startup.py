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


def test_the_cli_runs_as_a_batch_job_and_its_threads_inherit_it():
    """SCHED_BATCH: a reader woken by the server's rows does not preempt the server's thread
    (README, lever table). The library leaves its caller's scheduling alone."""
    probe = ("import os, sys, threading\n"
             "sys.argv = ['dumpcore', 'verify', '/nonexistent/dump']\n"
             "from dumpcore.cli.entry import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "seen = []\n"
             "t = threading.Thread(target=lambda: seen.append(os.sched_getscheduler(0)))\n"
             "t.start(); t.join()\n"
             "print(os.sched_getscheduler(0) == os.SCHED_BATCH, seen == [os.SCHED_BATCH])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    assert out.split() == ["True", "True"]
    library = subprocess.run([sys.executable, "-c", "import os, dumpcore.dump\n"
                              "print(os.sched_getscheduler(0) == os.SCHED_OTHER)"],
                             capture_output=True, text=True, check=True).stdout
    assert library.split() == ["True"]
