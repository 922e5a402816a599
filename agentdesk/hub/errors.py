"""Every refusal the hub answers is JSON: ``{"error": <code>, "detail": <sentence>}``.

FastAPI's own errors (unknown route, wrong method, validation, body too large) are
turned into the same shape, so a client handles one kind of error body. Malformed
JSON is a 400 (the client sent something unreadable), a well-formed body of the
wrong shape a 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

#: The ``error`` code of each status the hub answers with.
CODES: Final = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


class HubError(Exception):
    """A refusal: its status, a code, one sentence for the caller and any headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.detail = detail
        self.headers = dict(headers or {})


def unauthorized(detail: str) -> HubError:
    """401 with the challenge RFC 6750 asks for."""
    return HubError(401, detail, headers={"WWW-Authenticate": "Bearer"})


def forbidden(detail: str) -> HubError:
    """403: the caller is known but their role does not allow this."""
    return HubError(403, detail)


def not_found(detail: str) -> HubError:
    """404: no such thing (or not one the caller may see)."""
    return HubError(404, detail)


def error_response(error: HubError) -> JSONResponse:
    """The JSON answer for a refusal."""
    return JSONResponse(
        {"error": error.code, "detail": error.detail},
        status_code=error.status,
        headers=error.headers,
    )


def _validation_detail(errors: Sequence[object]) -> str:
    parts = []
    for error in errors[:5]:
        if isinstance(error, Mapping):
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            parts.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


async def _on_hub_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    return error_response(exc)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(HubError(exc.status_code, str(exc.detail), headers=exc.headers))


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(isinstance(e, Mapping) and e.get("type") == "json_invalid" for e in errors):
        return error_response(HubError(400, "the body is not valid JSON"))
    return error_response(HubError(422, _validation_detail(errors)))


def install_error_handlers(app: FastAPI) -> None:
    """Answer every refusal, ours and FastAPI's, in the hub's JSON shape."""
    app.add_exception_handler(HubError, _on_hub_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
