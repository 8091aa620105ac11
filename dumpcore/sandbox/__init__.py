"""Sandbox: trying dumpcore without a server of one's own. A throwaway MariaDB (sandbox.py),
the sample school database (sample.py), and `dumpcore demo` (demo.py)."""
