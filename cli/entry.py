"""The `dumpcore` executable's entry point: answers ``--version`` before importing the
CLI (typer) and the library, so it costs about one bare interpreter start. Otherwise the
cyclic garbage collector is kept out of start-up (imports make thousands of objects that
live for the whole process) and then runs rarely: the hot loops make few containers."""
from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from dumpcore import __version__

        print(f"dumpcore {__version__}")
        return
    gc.disable()
    from .app import main as app_main

    gc.freeze()  # what the imports made is never collected: do not scan it again
    gc.set_threshold(50_000, 20, 20)
    gc.enable()
    app_main()


if __name__ == "__main__":
    main()
