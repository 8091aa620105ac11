"""The documentation is held to the CLI (issue #21), so it cannot drift: every command has its
page in docs/ listing every option; every `dumpcore` line in a shell block of the README or
docs/ names a command and options that exist; every command's --help exits 0; the README's
quick start runs end to end against the test server."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from clirun import conn_args, dumpcore
from conftest import REPO
from dumpcore.cli.app import app
from dumpcore.connect.connection import quote_ident

DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def commands() -> dict[str, object]:
    """Every command the CLI has, by the words that call it: "dump", "sandbox start", ..."""
    found = {}
    for name, command in typer.main.get_command(app).commands.items():
        for sub, subcommand in getattr(command, "commands", {}).items():
            found[f"{name} {sub}"] = subcommand
        if not hasattr(command, "commands"):
            found[name] = command
    return found


def option_names(command) -> set[str]:
    """Every name an option of ``command`` answers to (hidden ones too: they parse), and --help."""
    names = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts, param.secondary_opts)
    return names


def mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_the_commands_are_those_help_lists():
    top = dumpcore("--help").stdout.decode()
    listed = set(re.findall(r"^  (\w+)\s", top.split("\nCommands:\n")[1], re.M))
    assert listed == {name.split()[0] for name in commands()}
    assert {"plan", "dump", "restore", "verify", "cat", "sandbox start", "demo", "sample"} <= set(commands())


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_a_page_that_lists_every_option(name):
    page = DOCS / f"{name.split()[0]}.md"
    assert page.is_file(), f"`dumpcore {name}` has no page: write docs/{page.name}"
    text = page.read_text()
    assert f"dumpcore {name}" in text
    missing = [opt for param in commands()[name].params
               if param.param_type_name == "option" and not param.hidden
               for opt in [*param.opts, *param.secondary_opts] if opt.startswith("--") and not mentions(text, opt)]
    assert not missing, (f"docs/{page.name} does not mention {', '.join(missing)} of `dumpcore {name}`: "
                         "add them to its options table")


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_help_exits_0(name):
    proc = dumpcore(*name.split(), "--help")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith(f"Usage: dumpcore {name} ")


def shell_lines(page: Path) -> list[str]:
    """The lines of the page's ```sh blocks, comments dropped."""
    blocks = re.findall(r"^```sh\n(.*?)^```", page.read_text(), re.M | re.S)
    return [line.split(" #", 1)[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def dumpcore_calls(line: str) -> list[list[str]]:
    """The words of each `dumpcore ...` command in a shell line (pipes and && split it)."""
    calls = []
    for part in re.split(r"\s*(?:\|\||&&|\||;)\s*", line):
        words = part.split()
        if words and words[0] == "dumpcore":
            calls.append(words[1:])
    return calls


def test_every_documented_dumpcore_line_names_a_command_and_options_that_exist():
    known, root_options = commands(), option_names(typer.main.get_command(app))
    checked = 0
    for page in PAGES:
        for line in shell_lines(page):
            for words in dumpcore_calls(line):
                where = f"{page.relative_to(REPO)}: `{line}`"
                if words[0].startswith("-"):
                    assert words[0] in root_options, where
                    continue
                name = " ".join(words[:2]) if words[0] == "sandbox" else words[0]
                assert name in known, f"{where}: no command `dumpcore {name}`"
                allowed = option_names(known[name])
                for word in words[2 if words[0] == "sandbox" else 1:]:
                    word = word.strip("[]")
                    if not word.startswith("-") or word == "-":
                        continue
                    option = word.split("=", 1)[0]
                    if re.fullmatch(r"-p\S+", option):  # -pSECRET
                        option = "-p"
                    assert option in allowed, f"{where}: `dumpcore {name}` has no option {option}"
                checked += 1
    assert checked >= 50, checked  # the pages' examples were found at all


def test_the_readme_quick_start_runs_end_to_end(server, conn, tmp_path, db):
    """The README's quick start, line by line, in a temp dir: against the test server instead of
    a sandbox of its own (tests/test_cli.py starts one with `--dir sandbox`), and with a smaller
    sample, under names of this test."""
    readme = (REPO / "README.md").read_text()
    block = readme.split("\n## Quick start\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split(" #", 1)[0].strip() for line in block.strip().splitlines()]
    assert lines[0] == "dumpcore sandbox start --dir sandbox"
    assert lines[1] == 'C="-S sandbox/mysqld.sock -u root"'
    assert lines[-1] == "dumpcore sandbox stop --dir sandbox --remove"
    steps = [line.replace("school_copy", f"{db}_copy") for line in lines[2:-1]]
    steps = [re.sub(r"\bschool\b", f"{db}_school", line) for line in steps]
    steps = [line + " --scale 0.05" if line.startswith("dumpcore sample ") else line for line in steps]
    assert [line.split()[:2] for line in steps] == [["dumpcore", "sample"], ["dumpcore", "dump"],
                                                     ["dumpcore", "verify"], ["dumpcore", "restore"],
                                                     ["dumpcore", "verify"]]
    script = "\n".join(["set -e", f"C={shlex.quote(' '.join(conn_args(server)))}", *steps])
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    try:
        proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "OK: every chunk matches its hash" in proc.stdout
        assert f"OK: `{db}_copy` holds what the dump holds" in proc.stdout
        assert "complete, proven; restore state in" in proc.stderr
    finally:
        for name in (f"{db}_school", f"{db}_copy"):
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def test_every_public_python_name_is_on_the_python_page():
    import dumpcore

    text = (DOCS / "python.md").read_text()
    missing = [name for name in dumpcore.__all__ if f"`{name}`" not in text]
    assert not missing, f"docs/python.md does not name {', '.join(missing)}"
