"""The dumpcore command line (installed as ``dumpcore.cli``)."""
