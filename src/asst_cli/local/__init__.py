"""The local backend: a background ``asst serve`` that asst starts, or reuses, for a data dir.

``config`` turns the resolved settings into what the server needs (settings.py calls it);
``server`` finds a running server or starts one; ``announce`` tells the user once when asst chose
the local engine on its own. Nothing here is imported by ``asst --help``.
"""
