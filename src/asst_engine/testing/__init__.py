"""Test-only machinery: injected faults, seeded ids, the stepping clock, a fake chat-completions
server. Nothing on the server path imports this package; the engine receives these by injection."""
