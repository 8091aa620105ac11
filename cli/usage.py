"""Command-line mistakes as one ``Error:`` line, with what a mysqldump, mydumper or
myloader user most likely meant (the line printed on Ctrl-C is in cli/exits.py)."""
from __future__ import annotations

import difflib

try:  # typer >= 0.22 carries its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as click_exceptions

UsageErrors = click_exceptions.UsageError
NoArgsIsHelp = getattr(click_exceptions, "NoArgsIsHelpError", ())

# Options of the peers, per dumpcore command, and what to use instead.
HABITS: dict[str, dict[str, str]] = {
    "dump": {
        "--threads": "use --workers N (connections reading at once; mydumper's --threads)",
        "-t": "use --workers N (connections reading at once; mydumper's -t)",
        "--parallel": "use --workers N (connections reading at once)",
        "-j": "use --workers N (connections reading at once)",
        "--outputdir": "use -o DIR",
        "--result-file": "use -o DIR for a dump directory, or --stdout > FILE",
        "-r": "use -o DIR for a dump directory, or --stdout > FILE",
        "--ignore-table": "use --exclude TABLE (repeatable; the table name without the database)",
        "--no-create-info": "use --no-schema",
        "--tables": "name the tables after the database: dumpcore dump DB T1 T2",
        "--single-transaction": "drop it: dumpcore always reads from one consistent snapshot",
        "--lock-all-tables": "drop it: dumpcore always reads from one consistent snapshot",
        "--rows": "use --chunk-size SIZE (chunks are cut by bytes, e.g. 64MiB)",
        "--chunk-filesize": "use --chunk-size SIZE (e.g. 64MiB)",
        "-F": "use --chunk-size SIZE (e.g. 64MiB)",
        "--verbose": "progress is shown on a terminal; --json prints the summary",
        "-v": "progress is shown on a terminal; --json prints the summary",
    },
    "restore": {
        "--threads": "use --parallel N (connections loading at once; myloader's --threads)",
        "-t": "use --parallel N (connections loading at once; myloader's -t)",
        "--workers": "use --parallel N (connections loading at once)",
        "-w": "use --parallel N (connections loading at once)",
        "--directory": "give the dump directory as the argument: dumpcore restore DIR",
        "-d": "give the dump directory as the argument: dumpcore restore DIR",
        "--overwrite-tables": "use --cleanup (empties the dumped tables first, children first)",
        "-o": "use --cleanup (empties the dumped tables first, children first)",
        "--source-db": "the dumped database is the default; --database NAME restores into another",
        "--enable-binlog": "the restore is logged as the server's binlog settings say",
        "--verbose": "progress is shown on a terminal; --json prints the summary",
        "-v": "progress is shown on a terminal; --json prints the summary",
    },
}


def _command(exc, argv: list[str]) -> str:
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "dumpcore"
    if path == "dumpcore" and argv and not argv[0].startswith("-") and not isinstance(
            exc, click_exceptions.NoSuchOption) and not str(exc.format_message()).startswith("No such command"):
        path += f" {argv[0]}"  # an option of the command failed before its context existed
    return path


def usage_error_line(exc, argv: list[str] = ()) -> str:
    """The one line (without ``Error: ``) for a click/typer usage error."""
    path = _command(exc, list(argv))
    command = path.split()[-1]
    help_hint = f"see `{path} --help`"
    if isinstance(exc, click_exceptions.NoSuchOption):
        name = exc.option_name
        habit = HABITS.get(command, {}).get(name.split("=", 1)[0])
        if habit:
            return f"no such option {name} for `{path}`; {habit}"
        known = []
        ctx = exc.ctx
        if ctx is not None:
            for param in ctx.command.params:
                if not getattr(param, "hidden", False):
                    known += [o for o in param.opts + param.secondary_opts if o.startswith("--")]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        suggestion = f"did you mean {close[0]}? " if close else ""
        return f"no such option {name} for `{path}`; {suggestion}{help_hint}"
    param = getattr(exc, "param", None)
    if isinstance(exc, click_exceptions.MissingParameter) and param is not None:
        if getattr(param, "param_type_name", "") == "argument":
            return f"missing argument {param.name.upper()}; {help_hint}"
        return f"missing option {max(param.opts, key=len)}; {help_hint}"
    if isinstance(exc, click_exceptions.BadParameter) and param is not None:
        name = max(param.opts, key=len) if param.opts and param.param_type_name == "option" else param.name.upper()
        message = " ".join(exc.message.split()).rstrip(".")
        return f"invalid value for {name}: {message[:1].lower() + message[1:]}; {help_hint}"
    text = " ".join(exc.format_message().split())
    if text.startswith("No such command"):
        ctx = exc.ctx
        names = sorted(ctx.command.list_commands(ctx)) if ctx is not None else []
        word = text.split("'")[1] if "'" in text else ""
        close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
        suggestion = f"did you mean `{path} {close[0]}`? " if close else ""
        return f"no such command `{word}`; {suggestion}commands: {', '.join(names)}"
    text = text[0].lower() + text[1:] if text else "bad usage"
    return f"{text.rstrip('.')}; {help_hint}"
