"""Runs: the resource operations, the lifecycle, steps, replies and what drives runs on."""
