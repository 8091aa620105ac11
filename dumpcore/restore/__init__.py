"""Restore: loading a dump into a target. The orchestrator (restore.py) runs the stages: the
pre-flight checks before any write (preflight.py), the schema objects, triggers, events and views
created in the target (target_objects.py), the chunks loaded on N connections (loader.py) in the
order schedule.py picks, by the load methods of load_data.py; keys added after the rows
(deferred_keys.py), triggers that would fire (triggercheck.py), the journal and state dir
(state.py), the completion report (completion.py), and restores from a seed hook (seed.py)."""
