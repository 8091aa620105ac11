"""The `dumpcore` executable's entry point: answers ``--version`` before importing the
CLI (typer) and the library, so it costs about one bare interpreter start."""
from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from dumpcore import __version__

        print(f"dumpcore {__version__}")
        return
    from .app import main as app_main

    app_main()


if __name__ == "__main__":
    main()
