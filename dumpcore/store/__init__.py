"""Store: the bytes of a dump on disk. Hashes (hashing.py, the only user of xxhash), chunk
compression (compression.py, the only user of zstandard), the manifest and its checks
(manifest.py, manifest_check.py), and private (0600/0700) files (private.py)."""
