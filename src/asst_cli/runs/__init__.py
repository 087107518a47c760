"""Runs: the flags that start and follow them, waiting or streaming, tool handlers, outcome."""
