"""The meeting brief: one content model computed from the store, rendered as Word and as PDF."""
