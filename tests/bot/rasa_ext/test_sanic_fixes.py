"""Sanic's default error responses after `sanic_fixes.install()`: Chinese JSON, never an English page."""

from __future__ import annotations

import json

from sanic.exceptions import PayloadTooLarge
from sanic.handlers import ErrorHandler

from bot.rasa_ext.sanic_fixes import CHINESE_ERRORS, UNEXPECTED_ERROR, install


def test_an_exception_no_route_handled_is_a_chinese_500() -> None:
    install()
    response = ErrorHandler().response(None, RuntimeError("the database went away mid-request"))
    assert response.status == 500
    assert json.loads(response.body) == {"error": UNEXPECTED_ERROR}
    assert "database" not in response.body.decode()  # nothing of the exception reaches the client


def test_an_error_sanic_raises_itself_keeps_its_status_in_chinese() -> None:
    install()
    response = ErrorHandler().response(None, PayloadTooLarge("Request body exceeds the size limit"))
    assert response.status == 413
    assert json.loads(response.body) == {"error": CHINESE_ERRORS[413]}
