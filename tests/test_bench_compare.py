"""The bench compare script on two small result documents (no server, no timing)."""
from bench.compare import compare


def _result(date, dump_rate, restore_rate, ratio):
    return {"date": date, "scale": "small", "dataset": {"rows": 100},
            "dump": {"dumpcore-w1": {"rows_per_s": dump_rate}}, "restore": {"dumpcore-p2": {"rows_per_s": restore_rate}},
            "ratios": [{"dumpcore": "dumpcore-w1", "peer": "mariadb-dump", "ratio": ratio}]}


def test_compare_reports_change_per_tool_and_ratio():
    text = compare(_result("2026-01-01", 1000, 500, 0.5), _result("2026-02-01", 1500, 400, 0.8))
    lines = text.splitlines()
    assert any(l.split()[:2] == ["dump", "dumpcore-w1"] and l.endswith("+50.0%") for l in lines)
    assert any(l.split()[:2] == ["restore", "dumpcore-p2"] and l.endswith("-20.0%") for l in lines)
    assert any(l.startswith("dumpcore-w1 / mariadb-dump") and l.split()[-2:] == ["0.50", "0.80"] for l in lines)
