"""Verify: proving a dump intact and equal to a database. Hashes and live comparison
(verify.py), the restore's per-statement chunk check (chunk_check.py), and the verified stream
of a directory dump (cat.py)."""
