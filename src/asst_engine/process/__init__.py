"""The ``asst serve`` process: its data dir's lock and ``server.json``, and serving until told
to stop (``run``)."""
