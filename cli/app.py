"""The typer app. Every command parses options and calls one library function;
DumpcoreError becomes ``Error: ...`` on stderr and a non-zero exit."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dumpcore import plan as plan_api
from dumpcore.errors import DumpcoreError, UsageError
from dumpcore.sandbox import Sandbox, default_root

from .options import (DefaultsFile, Host, Password, PasswordPrompt, Port, Socket, User, connection_options,
                      normalize_password_args)

app = typer.Typer(
    name="dumpcore",
    help="Logical dump and restore for MySQL and MariaDB: FK-ordered, chunked, hashed, verifiable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sandbox_app = typer.Typer(help="A throwaway local MariaDB server (own data dir, socket and port).",
                          no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


def err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def plan(
    database: Annotated[Optional[str], typer.Argument(help="Database to plan (from the live server).")] = None,
    ddl: Annotated[Optional[Path], typer.Option("--ddl", help="Plan offline from a .sql DDL file instead.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the plan's scripts here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
) -> None:
    """Discover every table, order them by foreign keys, and emit disable/cleanup/load/enable scripts."""
    if ddl is None and database is None:
        raise UsageError("give a DATABASE or --ddl FILE.sql")
    if ddl is not None:
        result = plan_api.plan_ddl(ddl, database)
    else:
        opts = connection_options(host, port, user, socket, password, password_prompt, defaults_file)
        result = plan_api.plan_database(opts, database)  # type: ignore[arg-type]
    for note in result.schema.notes:
        err(f"Warning: {note}")
    written = plan_api.write_plan_scripts(result, output) if output else []
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    p = result.plan
    typer.echo(f"Database `{p.database}` ({result.schema.source}): {len(p.load_order)} tables, "
               f"{len(result.schema.views)} views, {len(p.cycles)} cycle(s)")
    typer.echo("Load order (parents first):")
    for i, t in enumerate(p.load_order, 1):
        cyc = " (in cycle)" if p.cycle_of(t) else ""
        typer.echo(f"  {i:3d}. {t}{cyc}")
    if p.cycles:
        typer.echo("Cycles:")
        for c in p.cycles:
            typer.echo(f"  - {c.describe()}")
    typer.echo("Cleanup order (children first): " + ", ".join(p.cleanup_order))
    for path in written:
        typer.echo(f"wrote {path}")


@sandbox_app.command("start")
def sandbox_start(
    directory: Annotated[Path, typer.Option("--dir", help="Where the sandbox keeps its data.")] = default_root(),
) -> None:
    """Start a throwaway MariaDB (or show the one already running under --dir)."""
    box = Sandbox(directory)
    st = box.start()
    typer.echo(f"MariaDB {st.version} running (pid {st.pid}), data in {st.datadir}")
    typer.echo(f"  connect: mariadb -h127.0.0.1 -P{st.port} -uroot   or   mariadb -S {st.socket} -uroot")
    typer.echo(f"  dumpcore: dumpcore plan DB -h 127.0.0.1 -P {st.port} -u root")
    typer.echo(f"  tests:   export DUMPCORE_TEST_DSN='mysql://root@127.0.0.1:{st.port}/'")


@sandbox_app.command("stop")
def sandbox_stop(
    directory: Annotated[Path, typer.Option("--dir", help="The sandbox's directory.")] = default_root(),
    remove: Annotated[bool, typer.Option("--remove", help="Also delete its data directory.")] = False,
) -> None:
    """Stop the sandbox started under --dir (only that process)."""
    was = Sandbox(directory).stop(remove=remove)
    typer.echo("stopped" if was else f"no sandbox running under {directory}")


@sandbox_app.command("status")
def sandbox_status(
    directory: Annotated[Path, typer.Option("--dir", help="The sandbox's directory.")] = default_root(),
) -> None:
    """Say whether the sandbox under --dir runs, and how to connect (exit 1 if not)."""
    box = Sandbox(directory)
    if not box.is_running():
        typer.echo(f"no sandbox running under {directory}")
        raise typer.Exit(1)
    st = box.state
    typer.echo(f"running: pid {st.pid}, port {st.port}, socket {st.socket}, MariaDB {st.version}")  # type: ignore[union-attr]


@app.command()
def demo(
    scale: Annotated[float, typer.Option(help="Size of the sample school (1.0: about 100k attendance rows).")] = 1.0,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the demo's files.")] = Path("demo-out"),
) -> None:
    """The main job on an embedded default: a throwaway MariaDB with a sample school database."""
    from dumpcore.demo import run_demo

    run_demo(scale=scale, output=output, echo=typer.echo)


def main() -> None:
    argv = normalize_password_args(sys.argv[1:])
    try:
        app(args=argv, prog_name="dumpcore")
    except DumpcoreError as exc:
        err(f"Error: {exc.one_line()}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err("Error: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
