"""dump, restore and verify without loading typer, click, rich or pydantic (issue #11: start-up
is on the critical path of every run; typer's import and its per-parameter coercion cost
more CPU than a small dump's first round trip).

``parse`` reads a well-formed command line of those commands with click's own rules, from
the table cli/fastgen.py derives from the typer commands (cli/fastspec.py), and returns the
keyword parameters typer would pass. Anything else -- --help, an unknown option, a value
that is not an int, a missing or extra argument, another command -- returns None, and the
typer app runs as before with its help and its one-line usage errors. ``run`` then calls
the command body in cli/commands.py and ends the process as cli/app.main() would."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

from .fastspec import SPEC

# What typer (pydantic) reads as an int, narrowed to the plain spellings: " 5", "5.0" and
# "5_0" are ints to pydantic too, and are left to typer.
_INT = re.compile(r"[+-]?[0-9]{1,18}")


class _NotMine(Exception):
    """The command line is not a plain, well-formed one of a fast command: typer parses it."""


def _convert(param: dict[str, Any], value: str) -> Any:
    kind = param["type"]
    if kind == "str":
        return value
    if kind == "path":
        return Path(value)
    if kind == "int" and _INT.fullmatch(value):
        return int(value)
    raise _NotMine


def _default(param: dict[str, Any]) -> Any:
    value = param["default"]
    if isinstance(value, dict):  # a default computed at each run: {"factory": "module:function"}
        import importlib

        module, _, name = value["factory"].partition(":")
        return getattr(importlib.import_module(module), name)()
    return value


def _options(params: list[dict[str, Any]]) -> tuple[dict[str, tuple[dict, bool]], dict[str, tuple[dict, bool]]]:
    """Long and short option names -> (parameter, the value a flag sets)."""
    longs: dict[str, tuple[dict, bool]] = {}
    shorts: dict[str, tuple[dict, bool]] = {}
    for param in params:
        if param["kind"] == "option":
            for names, const in ((param["opts"], True), (param["secondary_opts"], False)):
                for name in names:
                    (longs if name.startswith("--") else shorts)[name] = (param, const)
    return longs, shorts


def parse_command(params: list[dict[str, Any]], args: list[str]) -> dict[str, Any]:
    """The keyword parameters for one command's arguments, by click's parser rules (raises
    _NotMine for anything click would refuse or this parser does not read)."""
    longs, shorts = _options(params)
    given: dict[str, Any] = {}
    positional: list[str] = []
    rargs = list(args)

    def store(param: dict, value: Any) -> None:
        if param["flag"]:
            given[param["name"]] = value
        elif param["multiple"]:
            given.setdefault(param["name"], []).append(_convert(param, value))
        else:
            given[param["name"]] = _convert(param, value)  # the last one given wins, as in click

    while rargs:
        arg = rargs.pop(0)
        if arg == "--":
            positional += rargs
            break
        if arg[:1] != "-" or len(arg) == 1:
            positional.append(arg)  # click lets arguments and options interleave
        elif arg[:2] == "--":
            name, eq, explicit = arg.partition("=")
            param, const = longs.get(name) or (None, False)
            if param is None or (param["flag"] and eq):
                raise _NotMine
            if param["flag"]:
                store(param, const)
            elif eq:
                store(param, explicit)
            elif rargs:
                store(param, rargs.pop(0))  # the next word, whatever it looks like (click's rule)
            else:
                raise _NotMine
        else:  # -x, a cluster of short flags (-qB), -oVALUE or -o VALUE
            for i in range(1, len(arg)):
                param, const = shorts.get("-" + arg[i]) or (None, False)
                if param is None:
                    raise _NotMine
                if param["flag"]:
                    store(param, const)
                    continue
                if i + 1 < len(arg):
                    store(param, arg[i + 1:])
                elif rargs:
                    store(param, rargs.pop(0))
                else:
                    raise _NotMine
                break

    out: dict[str, Any] = {}
    for param in params:
        name = param["name"]
        if param["kind"] == "argument":
            if param["multiple"]:
                values = [_convert(param, v) for v in positional]
                positional = []
                out[name] = values or None
            else:
                out[name] = _convert(param, positional.pop(0)) if positional else None
        else:
            out[name] = given[name] if name in given else _default(param)
        if param["required"] and out[name] is None:
            raise _NotMine
    if positional:
        raise _NotMine  # click: "Got unexpected extra argument"
    return out


def parse(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, keyword parameters) for a well-formed dump/restore/verify command line
    (``argv`` as normalize_password_args left it), or None: typer's to parse."""
    if not argv or argv[0] not in SPEC:
        return None
    try:
        return argv[0], parse_command(SPEC[argv[0]], argv[1:])
    except _NotMine:
        return None


class _QuietFlush:
    """A stream whose flush ignores a reader that went away (click's PacifyFlushWrapper)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def runner(command: str, params: dict[str, Any], argv: list[str]) -> Callable[[], NoReturn]:
    """The run of a parsed command, ended as cli/app.main() ends one: DumpcoreError is one
    ``Error:`` line and its exit code, Ctrl-C the interrupted line and 130, a closed stdout
    pipe exit 1 (as typer does). Imports the command bodies (and the library) now."""
    from dumpcore.errors import DumpcoreError

    from . import commands
    from .exits import exit_interrupted, exit_on_error

    body = getattr(commands, command)

    def run() -> NoReturn:
        try:
            body(**params)
        except DumpcoreError as exc:
            exit_on_error(exc)
        except KeyboardInterrupt:
            exit_interrupted(argv)
        except EOFError:
            sys.stderr.write("\n")  # typer: a newline, then Abort (which cli/app.main() lets through)
            raise
        except BrokenPipeError:
            sys.stdout, sys.stderr = _QuietFlush(sys.stdout), _QuietFlush(sys.stderr)
            sys.exit(1)
        sys.exit(0)

    return run
