"""Test-only machinery: injected faults, seeded ids, the stepping clock.

Nothing on the server path imports this package; the engine receives these by injection."""
