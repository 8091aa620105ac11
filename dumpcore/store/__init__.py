"""Store: the bytes of a dump on disk. Hashes (hashing.py, the only user of xxhash), chunk
compression (compression.py, the only user of zstandard), the manifest and its checks
(manifest.py, manifest_check.py), private (0600/0700) files (private.py), and the chunk
store that dumps share their chunks in (chunk_store.py)."""
