"""Encoder micro-benchmark: the Cython encoder, the pure-Python reference, and a naive
repr-style encoder, on the same in-memory raw rows (no server), per column kind."""
from __future__ import annotations

import random
import time
from decimal import Decimal

from dumpcore.codec import COMPILED, KIND_HEX, KIND_NUMBER, KIND_STRING, encode_rows, reference

N, S, H = KIND_NUMBER, KIND_STRING, KIND_HEX


def _rows(kind: str, count: int, rnd: random.Random) -> tuple[list[tuple], bytes]:
    if kind == "ints":
        return [tuple(str(rnd.randint(-2**40, 2**40)).encode() for _ in range(6)) for _ in range(count)], bytes([N] * 6)
    if kind == "decimals":
        return [tuple(f"{rnd.uniform(-1e6, 1e6):.2f}".encode() for _ in range(6)) for _ in range(count)], bytes([N] * 6)
    if kind == "short strings":
        words = [b"alpha", b"beta", b"gamma", b"delta", "Zoë".encode(), b"2024-01-01 10:00:00"]
        return [tuple(rnd.choice(words) for _ in range(6)) for _ in range(count)], bytes([S] * 6)
    if kind == "long escaped strings":
        base = "It's a \"quoted\" line\nwith back\\slash, tab\t, «ünïcode» ✓ and more text. ".encode()
        return [(base * rnd.randint(1, 4),) for _ in range(count)], bytes([S])
    if kind == "binary":
        return [(rnd.randbytes(rnd.randint(16, 200)),) for _ in range(count)], bytes([H])
    if kind == "mixed":
        rows = []
        for i in range(count):
            rows.append((str(i).encode(), f"{rnd.uniform(0, 1e5):.2f}".encode(),
                         f"Customer {i} O'Brien \\ x".encode(), b"2021-06-01 10:11:12",
                         None if i % 4 == 0 else "note\nwith ✓".encode(), rnd.randbytes(24)))
        return rows, bytes([N, N, S, S, S, H])
    raise ValueError(kind)


KINDS = ["ints", "decimals", "short strings", "long escaped strings", "binary", "mixed"]


def naive_encode(rows: list[tuple], kinds: bytes) -> bytes:
    """What a typical script does: convert to Python objects, then repr-style literals."""
    out = []
    for row in rows:
        vals = []
        for v, k in zip(row, kinds):
            if v is None:
                vals.append("NULL")
            elif k == N:
                obj = Decimal(v.decode()) if b"." in v else int(v)
                vals.append(repr(obj) if isinstance(obj, int) else str(obj))
            elif k == S:
                vals.append(repr(v.decode("utf-8")))
            else:
                vals.append("0x" + v.hex())
        out.append("(" + ", ".join(vals) + ")")
    return ",\n".join(out).encode()


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(rows_fast: int = 200_000, rows_slow: int = 40_000) -> dict:
    rnd = random.Random(99)
    results = {"compiled": COMPILED, "kinds": {}}
    for kind in KINDS:
        rows, kinds = _rows(kind, rows_fast, rnd)
        text, n, _ = encode_rows(rows, 0, kinds, 0)
        assert n == len(rows)
        slow = rows[:rows_slow]
        assert reference.encode_rows(slow, 0, kinds, 0)[0] == encode_rows(slow, 0, kinds, 0)[0]
        t_cy = _time(lambda: encode_rows(rows, 0, kinds, 0))
        t_ref = _time(lambda: reference.encode_rows(slow, 0, kinds, 0), 1)
        t_naive = _time(lambda: naive_encode(slow, kinds), 1)
        cy_rate = len(rows) / t_cy
        ref_rate = len(slow) / t_ref
        results["kinds"][kind] = {
            "cython_rows_s": round(cy_rate), "cython_mb_s": round(len(text) / t_cy / 1e6),
            "reference_rows_s": round(ref_rate), "naive_rows_s": round(len(slow) / t_naive),
            "speedup_vs_reference": round(cy_rate / ref_rate, 1),
            "speedup_vs_naive": round(cy_rate / (len(slow) / t_naive), 1),
            "cython_ns_per_row": round(1e9 / cy_rate),
        }
    mixed = results["kinds"]["mixed"]
    results["targets"] = {"speedup_vs_reference>=15": mixed["speedup_vs_reference"] >= 15,
                          "cython_mb_s>=200": mixed["cython_mb_s"] >= 200}
    return results


def table(r: dict) -> str:
    lines = ["| column kind | Cython rows/s | Cython MB/s | ns/row | reference rows/s | naive rows/s | x reference | x naive |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind, k in r["kinds"].items():
        lines.append(f"| {kind} | {k['cython_rows_s']:,} | {k['cython_mb_s']} | {k['cython_ns_per_row']} | "
                     f"{k['reference_rows_s']:,} | {k['naive_rows_s']:,} | {k['speedup_vs_reference']} | "
                     f"{k['speedup_vs_naive']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    res = run()
    print(table(res))
    print(res["targets"])
