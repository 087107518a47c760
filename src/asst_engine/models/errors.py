"""SDK exceptions as ``ModelError``s, with the wait a provider asked for before a retry.

Messages say what the provider answered and what to check; the API key never appears in them
(some providers echo part of it back).
"""

from __future__ import annotations

import email.utils
import time
from typing import TYPE_CHECKING, Any

from asst_engine.models.base import INVALID_PROMPT, RATE_LIMIT, SERVER_ERROR, ModelError

if TYPE_CHECKING:
    from openai import OpenAIError


class Failed(Exception):
    """A failed attempt: the error to report and the provider's ``Retry-After``, if any."""

    def __init__(self, error: ModelError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def failed(error: OpenAIError, base_url: str, api_key: str) -> Failed:
    import openai

    if isinstance(error, openai.APIStatusError):
        return _status(error, api_key)
    if isinstance(error, openai.APITimeoutError):
        message = f"The model provider at {base_url} did not answer in time."
        return Failed(ModelError(SERVER_ERROR, message, retryable=True))
    if isinstance(error, openai.APIConnectionError):
        cause = _scrub(str(error.__cause__ or error), api_key)
        message = f"Could not reach the model provider at {base_url}: {cause}"
        return Failed(ModelError(SERVER_ERROR, message, retryable=True))
    detail = _scrub(str(error), api_key)
    return Failed(ModelError(SERVER_ERROR, f"The model provider failed: {detail}", retryable=True))


def _status(error: Any, api_key: str) -> Failed:
    status: int = error.status_code
    detail = _scrub(_detail(error), api_key)
    if status == 429:
        message = f"The model provider is rate limiting requests (429): {detail}"
        return Failed(ModelError(RATE_LIMIT, message, True), retry_after(error.response.headers))
    if status in (401, 403):
        message = (
            f"The model provider refused the credentials ({status}): {detail} (check its API key)"
        )
        return Failed(ModelError(SERVER_ERROR, message))
    if status == 404:
        message = (
            f"The model provider has no such model or path (404): {detail} (check the model map)"
        )
        return Failed(ModelError(SERVER_ERROR, message))
    if status in (408, 409) or status >= 500:
        message = f"The model provider failed ({status}): {detail}"
        return Failed(ModelError(SERVER_ERROR, message, True), retry_after(error.response.headers))
    message = f"The model provider rejected the prompt ({status}): {detail}"
    return Failed(ModelError(INVALID_PROMPT, message))


def _detail(error: Any) -> str:
    """The provider's own message. The SDK has already unwrapped ``{"error": ...}``: ``body``
    is the inner object (``{"message": ...}`` as a rule) or a bare string."""
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    if isinstance(body, str):
        return body
    return str(error.message)


def _scrub(text: str, api_key: str) -> str:
    return text.replace(api_key, "***") if len(api_key) >= 8 else text


def retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / scale
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return float(email.utils.mktime_tz(parsed) - time.time())
    return None
