"""Start-up: what `dumpcore --version` and `import dumpcore` load (issue #11: <= 80 ms of
CPU). Measured in modules loaded, which does not depend on how busy the machine is."""
import subprocess
import sys

import dumpcore
from clirun import dumpcore as run_dumpcore

HEAVY = ("typer", "pydantic", "rich", "sqlglot", "MySQLdb", "xxhash", "dumpcore.connect.connection", "dumpcore.codec")


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
    assert loaded_after("from dumpcore import ConnectionOptions") == ["MySQLdb", "dumpcore.connect.connection"]
    from dumpcore import Sandbox, plan_ddl
    from dumpcore.schema.plan import plan_ddl as direct
    assert plan_ddl is direct and Sandbox.__module__ == "dumpcore.sandbox.sandbox"
    assert set(dumpcore.__all__) <= set(dir(dumpcore))


def test_the_cli_runs_as_a_batch_job_and_its_threads_inherit_it():
    """SCHED_BATCH: a reader woken by the server's rows does not preempt the server's thread
    (README, lever table). The library leaves its caller's scheduling alone."""
    probe = ("import os, sys, threading\n"
             "sys.argv = ['dumpcore', 'verify', '/nonexistent/dump']\n"
             "from dumpcore.cli import entry\n"
             "entry.hard_exit = sys.exit  # carry on after the run, to look at this process\n"
             "try:\n    entry.main()\nexcept SystemExit:\n    pass\n"
             "seen = []\n"
             "t = threading.Thread(target=lambda: seen.append(os.sched_getscheduler(0)))\n"
             "t.start(); t.join()\n"
             "print(os.sched_getscheduler(0) == os.SCHED_BATCH, seen == [os.SCHED_BATCH])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    assert out.split() == ["True", "True"]
    library = subprocess.run([sys.executable, "-c", "import os, dumpcore.dump.dump\n"
                              "print(os.sched_getscheduler(0) == os.SCHED_OTHER)"],
                             capture_output=True, text=True, check=True).stdout
    assert library.split() == ["True"]


_HARD_EXIT_PROBE = """
import atexit, sys, threading, time
from dumpcore.cli.entry import hard_exit

class Torn:  # prints when the interpreter's teardown frees it
    def __del__(self):
        sys.stdout.write("teardown\\n"); sys.stdout.flush()

kept = Torn()
atexit.register(lambda: sys.stdout.write("atexit ran\\n"))
sys.stdout.write("buffered\\n")  # a pipe: block-buffered, still unwritten
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), sys.stdout.write("thread done\\n"))).start()
code = {"none": None, "three": 3, "text": "a message"}.get(sys.argv[1])
if sys.argv[1] == "ordinary":
    sys.exit(0)
hard_exit(code)
"""


def _hard_exit(case: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _HARD_EXIT_PROBE, case], capture_output=True, text=True)


def test_a_fast_path_run_ends_without_the_interpreters_teardown_but_flushed_and_atexit_run():
    ordinary = _hard_exit("ordinary")  # the control: the ordinary exit tears down
    assert ordinary.returncode == 0 and ordinary.stdout.splitlines() == ["buffered", "atexit ran", "teardown"]
    none, three, text = _hard_exit("none"), _hard_exit("three"), _hard_exit("text")
    assert (none.returncode, three.returncode, text.returncode) == (0, 3, 1)
    for proc in (none, three, text):
        assert proc.stdout.splitlines() == ["buffered", "atexit ran"]  # no teardown
    assert text.stderr == "a message\n"


def test_a_thread_the_interpreter_would_wait_for_means_the_ordinary_exit():
    proc = _hard_exit("thread")
    assert proc.returncode == 0 and "thread done" in proc.stdout.splitlines()
