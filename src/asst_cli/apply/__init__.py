"""The apply subsystem: load definitions, plan against live objects, execute, report, export."""
