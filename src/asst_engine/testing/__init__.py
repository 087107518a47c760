"""Test-only helpers (a fake chat-completions server); never imported by the server path."""
