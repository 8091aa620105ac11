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


def test_compare_names_a_tool_that_failed_every_run():
    old = _result("2026-01-01", 1000, 500, 0.5)
    new = _result("2026-02-01", 1500, 400, 0.8)
    new["restore"]["myloader-t2"] = {"runs": 0, "failed_runs": 3, "errors": ["Deadlock found"]}
    old["restore"]["myloader-t2"] = {"rows_per_s": 300}
    new["ratios"].append({"dumpcore": "dumpcore-p2", "peer": "myloader-t2", "ratio": None})
    lines = compare(old, new).splitlines()
    assert any(l.split() == ["restore", "myloader-t2", "300", "-"] for l in lines)
    assert any(l.startswith("dumpcore-p2 / myloader-t2") and l.split()[-1] == "nan" for l in lines)


def test_a_peer_that_fails_is_recorded_and_dumpcore_failing_stops_the_bench():
    import pytest

    from bench.run import markdown, peer_failed, summarize

    failures: dict = {}
    peer_failed("myloader-t2", "restore", 1, RuntimeError("myloader failed (1): Deadlock found"), failures)
    peer_failed("myloader-t2", "restore", 0, RuntimeError("warm-up failure"), failures)  # warm-up: said, not kept
    assert failures == {"myloader-t2": ["myloader failed (1): Deadlock found"]}
    with pytest.raises(RuntimeError, match="ours"):
        peer_failed("dumpcore-p2", "restore", 1, RuntimeError("ours"), failures)
    entry = summarize([], 100, failures["myloader-t2"])
    assert entry == {"runs": 0, "failed_runs": 1, "errors": ["myloader failed (1): Deadlock found"]}
    doc = {"date": "2026-11-22", "machine": {"cores": 2, "ram_gib": 23.5}, "server": "x", "runs_per_tool": 1,
           "dataset": {"rows": 100, "innodb_bytes": 1e6}, "dump": {}, "restore": {"myloader-t2": entry},
           "ratios": [{"phase": "restore", "dumpcore": "dumpcore-p2", "peer": "myloader-t2", "ratio": None,
                       "target": 1.2, "met": None, "note": "myloader-t2 failed every run"}]}
    text = markdown(doc)
    assert "| restore | myloader-t2 | failed every run: myloader failed (1): Deadlock found |" in text
    assert "| restore: dumpcore-p2 / myloader-t2 | n/a (myloader-t2 failed every run) | >= 1.2 |" in text
