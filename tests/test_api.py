"""The public Python API (``import dumpcore``): a caller dumps, verifies, restores and
compares without the CLI, as the module docstring shows (sqlite-utils' parity of CLI and
library)."""
from __future__ import annotations

import dumpcore
from dbcompare import raw_rows


def test_a_caller_dumps_verifies_restores_and_compares_without_the_cli(server, conn, db, tmp_path):
    conn.execute(f"CREATE TABLE `{db}`.t (id INT PRIMARY KEY, v VARCHAR(20))")
    conn.execute(f"INSERT INTO `{db}`.t SELECT seq, CONCAT('v', seq) FROM `{db}`.seq_1_to_300")
    out = tmp_path / "backup"
    dumped = dumpcore.dump_to_directory(server, db, out, dumpcore.DumpOptions(workers=1))
    assert isinstance(dumped, dumpcore.DumpSummary) and dumped.rows == 300
    assert dumpcore.verify_path(out).ok
    target = db + "_copy"
    try:
        summary = dumpcore.restore_directory(out, server, dumpcore.RestoreOptions(database=target))
        assert isinstance(summary, dumpcore.RestoreSummary)
        assert summary.failure() is None and summary.proof_state() == "proven"
        report = dumpcore.verify_against(out, server, target)
        assert isinstance(report, dumpcore.AgainstReport) and report.ok
        assert raw_rows(conn, target, "t") == raw_rows(conn, db, "t")
        # a change after the restore is found by the same API
        conn.execute(f"UPDATE `{target}`.t SET v = 'changed' WHERE id = 7")
        assert not dumpcore.verify_against(out, server, target).ok
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS `{target}`")


def test_the_public_names_are_the_documented_few():
    assert set(dumpcore.__all__) >= {"dump_to_directory", "dump_to_stream", "restore_directory", "verify_path", "verify_against",
                                     "DumpOptions", "RestoreOptions", "ConnectionOptions", "Sandbox", "DumpcoreError"}
    assert len(dumpcore.__all__) <= 45  # small: stages' internals stay behind their modules
    for name in dumpcore.__all__:
        assert getattr(dumpcore, name).__doc__, f"dumpcore.{name} has no docstring"
