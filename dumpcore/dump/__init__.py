"""Dump: reading a database in one snapshot and writing it out. The orchestrator (dump.py, and
server_dump.py for -B/-A), the snapshot and row streams (stream.py, replication.py), chunk files and
statements (chunks.py; each held to its table's checked shape: verify/statement_shape.py), the
off-thread sqlglot checks (validation.py), readable extras (annotate.py,
stats.py), and the partial directory a dump is built in (partials.py)."""
