"""The openai SDK's client classes, imported without the SDK's package-wide imports.

``import openai`` imports the typed models of the whole API (``openai.types`` and the helpers in
``openai.lib``: ~470 modules, ~0.3 s on a 2-core machine), and asst needs none of them: it sends
requests through the client's generic methods only (see api.py). So before the first request the
``openai``, ``openai.types`` and ``openai.lib`` packages are registered with their ``__init__``
deferred, and only the client modules are imported. A deferred package still works for anyone:
its submodules import as usual, and the first time a name its ``__init__`` defines is read
(``openai.APIError``, ``from openai.types import Batch``) that ``__init__`` runs, whole.
Nothing is deferred once the SDK has been imported the usual way.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

    import httpx2
    from openai import AzureOpenAI, OpenAI

DEFERRED = ("openai", "openai.types", "openai.lib")


def clients() -> tuple[type[OpenAI], type[AzureOpenAI]]:
    """The SDK's ``OpenAI`` and ``AzureOpenAI`` classes, imported as cheaply as possible."""
    if "openai" not in sys.modules:
        _defer_package_inits()
    from openai._client import OpenAI
    from openai.lib.azure import AzureOpenAI

    return OpenAI, AzureOpenAI


def http_client() -> httpx2.Client:
    """The HTTP client the SDK would make for itself (its timeouts, limits and redirects), but
    with a TLS context shared by every client this process builds.

    Loading the system's CA certificates costs ~0.1 s, on every client the SDK makes; a process
    that runs several commands (the tests, a script importing asst) pays it once instead.
    """
    from openai._base_client import SyncHttpxClientWrapper

    context = _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    return SyncHttpxClientWrapper(verify=context)


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """httpx's default context, which reads SSL_CERT_FILE and SSL_CERT_DIR: one per value."""
    import httpx2

    return httpx2.create_ssl_context()


def _defer_package_inits() -> None:
    spec = importlib.util.find_spec("openai")
    if spec is None or spec.origin is None:
        return  # not installed as a package: the import below reports it
    root = Path(spec.origin).parent
    for name in DEFERRED:
        folder = root.joinpath(*name.split(".")[1:])
        if (folder / "__init__.py").is_file():
            sys.modules[name] = _deferred(name, folder)
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:  # as an import does: the SDK reads openai.lib.<module>
                setattr(sys.modules[parent], child, sys.modules[name])


def _deferred(name: str, folder: Path) -> ModuleType:
    """A package whose ``__init__`` runs when a name it defines is first read."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    loader = spec.loader
    module = importlib.util.module_from_spec(spec)

    def attribute(attr: str) -> Any:
        if (folder / attr).is_dir() or (folder / f"{attr}.py").is_file():
            return importlib.import_module(f"{name}.{attr}")
        del module.__dict__["__getattr__"]  # the real __init__ may define its own
        loader.exec_module(module)
        return getattr(module, attr)

    module.__getattr__ = attribute  # type: ignore[method-assign]
    return module
