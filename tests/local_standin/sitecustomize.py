"""Until the real ``asst serve`` lands, the local-backend tests start this stand-in in its place.

Python imports this module at start-up when its directory is on PYTHONPATH; the tests put it
there (tests/test_local.py) for the asst processes they start and for the servers those start.
It registers ``serve`` as the stand-in only while ``asst_cli.commands.serve`` does not exist, so
the same tests run against the real command once it does.
"""

from importlib.util import find_spec

if find_spec("asst_cli.commands.serve") is None:
    from asst_cli.app import Root
    from asst_cli.lazy import Lazy
    from asst_cli.local import server

    Root.lazy["serve"] = Lazy("standin_serve:serve", "A stand-in for asst serve (tests only).")
    server.SERVE_MODULES = ()  # the stand-in needs only the engine in this tree
