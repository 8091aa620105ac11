"""Benchmarks against the peers: `make bench` (see bench/run.py)."""
