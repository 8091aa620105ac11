"""Verify: proving a dump intact and equal to a database. Hashes and live comparison
(verify.py), the restore's per-statement chunk check (chunk_check.py), the dump's check of every
statement it writes against its table's shape (statement_shape.py), and the verified stream
of a directory dump (cat.py)."""
