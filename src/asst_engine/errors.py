"""The one error type of the engine and the envelope every dialect wraps it in."""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """A request the protocol rejects: an HTTP status plus the fields of the error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        """The body the real services send: ``{"error": {message, type, param, code}}``."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


class ConnectionDropped(ConnectionError):
    """The engine chose to close this request's connection without answering (an injected
    ``drop_every`` fault); the HTTP layer closes the socket."""


def not_found(kind: str, object_id: str) -> EngineError:
    """A 404 worded like the real API: ``No assistant found with id 'asst_x'.``"""
    return EngineError(404, f"No {kind} found with id '{object_id}'.")


def bad_request(message: str, param: str | None = None, code: str | None = None) -> EngineError:
    """A 400 ``invalid_request_error`` naming the offending field."""
    return EngineError(400, message, param=param, code=code)
