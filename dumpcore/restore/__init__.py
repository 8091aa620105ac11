"""Restore: loading a dump into a target. The orchestrator (restore.py): pre-flight, scheduling
of loads (schedule.py), load methods (load_data.py), keys added after the rows (deferred_keys.py),
triggers that would fire (triggercheck.py), the journal and state dir (state.py), the completion
report (completion.py), and restores from a seed hook (seed.py)."""
