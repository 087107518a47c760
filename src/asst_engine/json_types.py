"""The one shape every stored and returned object has: a JSON object as a Python dict."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
