"""The order xdist hands the test files out in (tests/conftest.py)."""

# The longest files (wall time, --durations), longest first. xdist hands whole files to the
# workers in collection order; a long file handed out last keeps one worker busy after the other
# has finished. This changes the order only: every test still runs. test_suite.py checks the names.
LONGEST_FIRST = (
    "test_conformance.py",
    "test_local.py",
    "test_quickstart.py",
    "test_serve_model.py",
    "test_serve.py",
    "engine/sandbox/test_sandbox.py",
    "test_lossless.py",
    "test_stream_promises.py",
    "engine/worker/test_worker_code.py",
    "clients/test_openai_python.py",
    "engine/sandbox/test_sandbox_lifecycle.py",
    "test_deadline.py",
    "clients/test_azure_ai_agents.py",
    "test_wait.py",
    "clients/test_openai_node.py",
)
