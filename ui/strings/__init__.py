"""UI strings, one module per topic, each defining ``STRINGS = {key: (vi, en)}``."""
