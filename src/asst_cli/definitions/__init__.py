"""Definition files and flags validated into request bodies, one module per kind."""
