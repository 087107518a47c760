"""Validate recorded Assistants-protocol traffic against the official spec of its dialect.

    from spec_check import check_interaction, check_cassette, check_cassette_secrets

Each returns a list of human-readable problems; an empty list means valid. The dialect follows
from the URL: /v1/... (OpenAI), /openai/...?api-version=... (Azure OpenAI),
/api/projects/<project>/...?api-version=v1 (Foundry). Specs are loaded and compiled once per
process; the departures from their letter are all in spec_check.overrides.
"""

from .cassettes import Interaction, check_cassette, check_cassette_secrets, load_cassette
from .dialects import DIALECTS, SPEC_DIR, split_url
from .spec import get_spec
from .validate import check_interaction

__all__ = [
    "DIALECTS",
    "SPEC_DIR",
    "Interaction",
    "check_cassette",
    "check_cassette_secrets",
    "check_interaction",
    "get_spec",
    "load_cassette",
    "split_url",
]
