"""Where a command and the server spend their CPU while it runs (issue #22: the profile that
shows what bounds a missed target). ``perf record`` samples mariadbd (by pid) and the command
(a child of perf) over the same interval; the report is each one's self time by symbol, and
by a few groups of symbols named below.

    python -m bench.perf_profile --pid MARIADBD_PID --out DIR --label NAME -- CMD ARG...

writes DIR/NAME-server.txt and DIR/NAME-client.txt (``perf report``, self time per symbol
over 0.5%) and prints the groups. Needs ``perf`` (Debian's linux-perf) and the right to
profile mariadbd (root, or kernel.perf_event_paranoid <= 1 and the same user)."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

FREQUENCY = 997  # samples a second, per CPU: not a multiple of the kernel's tick

# The server's CPU by what it is doing (first matching group wins; the rest is "other").
SERVER_GROUPS = [
    ("values formatted as text", r"int10_to_str|longlong10_to_str|decimal2string|bin2decimal|decimal2bin|"
     r"Protocol_text::|Protocol::store|Protocol::net_store|net_store_length|Protocol::send_result|my_convert|"
     r"Item_field::send|Field::send|Field_\w+::(val_str|send|val_decimal)|"
     r"my_(datetime|date|time|TIME)_to_str|my_fcvt|my_gcvt|copy_and_convert"),
    ("InnoDB's entry points", r"ha_innobase::|innobase_"),
    ("parsing and executing statements", r"MYSQLparse|Lex_|lex_|THD::|JOIN::|mysql_execute|sql_|Item_|"
     r"handler::|select_|sub_select|evaluate_join|end_send|read_record|Query_arena|st_select_lex|Sql_cmd|"
     r"open_table|close_thread|tdc_|TABLE::|mysql_load|READ_INFO|String::|write_record|fill_record"),
    ("network (server side)", r"net_|my_net|vio_|Vio|my_real_read|my_real_write"),
    ("kernel", r"^\[k\]"),
    ("memory", r"malloc|free|memcpy|memmove|memset|cfree|_int_|alloc_root|my_malloc|my_free"),
    # Debian's mariadbd exports no symbol of InnoDB's own functions (nor of other static
    # ones), and no dbgsym package is installable here: InnoDB's work is mostly in this group
    ("mariadbd without a symbol (InnoDB, mostly)", r"^0x\w+ in mariadbd"),
]
CLIENT_GROUPS = [
    ("compiled codec", r"__pyx_|_encoder"),
    ("mysql client library", r"mysql_|mthd_|ma_|net_|pvio|ma_net|libmariadb"),
    ("compression and hashing", r"XXH|ZSTD|zstd|libdeflate|deflate|crc32|sodium|blake|libzstd"),
    ("python interpreter", r"_Py|Py[A-Z]|PyObject|_PyEval|lookdict|dict_|list_|unicode|bytes_|long_"),
    ("kernel", r"^\[k\]"),
    ("memory", r"malloc|free|memcpy|memmove|memset|cfree|_int_"),
    ("libraries without a symbol", r"^0x"),
]


def record(pid: int, command: list[str], out: Path, label: str) -> tuple[Path, Path, float]:
    """perf data of the server (by pid) and of the command, over the command's run."""
    out.mkdir(parents=True, exist_ok=True)
    server_data, client_data = out / f"{label}-server.data", out / f"{label}-client.data"
    server = subprocess.Popen(["perf", "record", "-q", "-F", str(FREQUENCY), "-p", str(pid), "-o", str(server_data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # perf attaches to every thread of the server before the command starts
    t0 = time.monotonic()
    rc = subprocess.run(["perf", "record", "-q", "-F", str(FREQUENCY), "-o", str(client_data), "--", *command],
                        stdout=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    server.send_signal(signal.SIGINT)
    server.wait()
    if rc != 0:
        sys.exit(f"Error: the profiled command exited with {rc}: {' '.join(command)}")
    return server_data, client_data, wall


def symbols(data: Path) -> list[tuple[float, str]]:
    """(self percent, '[k] symbol' or 'symbol') of every sample, largest first."""
    return parse_report(subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", "dso,sym",
                                        "--percent-limit", "0.05", "-q"],
                                       capture_output=True, text=True, check=True).stdout)


def parse_report(text: str) -> list[tuple[float, str]]:
    """The rows of ``perf report --stdio --sort dso,sym -q``: '  12.34%  libc.so.6  [.] symbol'
    as (12.34, 'symbol'); a kernel symbol as '[k] symbol', an address without a symbol
    as '0x... in DSO'."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\[.\])\s+(.*\S)", line)
        if m:
            share, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
            if kind == "[k]":
                sym = "[k] " + sym
            elif sym.startswith("0x"):
                sym = f"{sym} in {dso}"
            rows.append((share, sym))
    return rows


def grouped(rows: list[tuple[float, str]], groups: list[tuple[str, str]]) -> list[tuple[str, float]]:
    sums = {name: 0.0 for name, _ in groups}
    sums["other"] = 0.0
    for share, sym in rows:
        for name, pattern in groups:
            if re.search(pattern, sym):
                sums[name] += share
                break
        else:
            sums["other"] += share
    return sorted(sums.items(), key=lambda kv: -kv[1])


def report(data: Path, groups: list[tuple[str, str]], title: str, top: int) -> str:
    rows = symbols(data)
    lines = [f"## {title}", "", "| group | self % |", "| --- | --- |"]
    lines += [f"| {name} | {share:.1f} |" for name, share in grouped(rows, groups) if share >= 0.05]
    lines += ["", "| self % | symbol |", "| --- | --- |"]
    lines += [f"| {share:.1f} | `{sym}` |" for share, sym in rows[:top]]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pid", type=int, required=True, help="mariadbd's process id")
    ap.add_argument("--out", type=Path, required=True, help="directory of the perf data and reports")
    ap.add_argument("--label", required=True, help="name of this profile's files")
    ap.add_argument("--top", type=int, default=25, help="symbols listed per side")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- the command to profile")
    a = ap.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        ap.error("no command: put it after --")
    server_data, client_data, wall = record(a.pid, command, a.out, a.label)
    text = (f"# {a.label}: {wall:.2f} s wall\n\n`{' '.join(command)}`\n\n"
            + report(server_data, SERVER_GROUPS, "mariadbd, self time", a.top) + "\n"
            + report(client_data, CLIENT_GROUPS, "the command, self time", a.top))
    (a.out / f"{a.label}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
