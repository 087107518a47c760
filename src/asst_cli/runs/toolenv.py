"""The environment a local tool command runs in: asst's own, less every credential.

A tool command answers the model, and the model's arguments are not to be trusted, so the command
gets no key or token that would let it act as the user against the service (or anything else).
Removed are the variables asst reads credentials from and any name ending in a credential word;
a definition names the variables a command does need (``env: [GITHUB_TOKEN]`` on its tool).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

# The credentials asst and the SDKs it uses read; kept here so the list has one home.
CREDENTIALS = frozenset(
    {
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_AD_TOKEN",
        "ASST_API_KEY",
        "ASST_TOKEN",
        "ASST_TOKEN_COMMAND",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    }
)
# The same kind of value under any other name (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, ...).
_CREDENTIAL_NAME = re.compile(
    r"(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|PRIVATE_KEY)$", re.I
)


def is_credential(name: str) -> bool:
    return name.upper() in CREDENTIALS or bool(_CREDENTIAL_NAME.search(name))


def tool_environment(
    environ: Mapping[str, str], call: Mapping[str, Any], passed: Collection[str] = ()
) -> dict[str, str]:
    """``environ`` without credentials (but with the ``passed`` names), plus the call's values
    as ``ASST_TOOL_*`` variables."""
    env = {k: v for k, v in environ.items() if k in passed or not is_credential(k)}
    env.update({f"ASST_TOOL_{key.upper()}": str(value) for key, value in call.items()})
    return env
