"""The command line ``python -m geo``: demo, import, export, batches, undo, evaluate."""
