"""Pure-speed replacements inside Rasa 3.6's turn, installed by `bot.rasa_server` before Rasa starts.

Each one keeps Rasa's behaviour exactly and removes work Rasa repeats on every turn:

- `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the schema
  itself against the JSON-Schema meta-schema on every call (about 20 ms per custom action on
  these machines). The replacement builds the validator once and validates the same way.
- `Event.resolve_by_type` walks every subclass of `Event` for every event it deserialises
  (a tracker of n events costs n walks). The replacement remembers the class of each known
  type name; unknown names still go through Rasa's own lookup (and its errors).
- `EndpointConfig.request` opens a new aiohttp session, and so a new TCP connection, for every
  call to the action server (about a tenth of a Rasa worker's CPU per turn, and an accept on the
  action server's side). The replacement keeps one session per endpoint and event loop, with
  the same headers, auth and timeout; idle connections are dropped after
  `KEEPALIVE_S`, before Sanic's own keep-alive timeout (5 s) closes them from the other end.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

KEEPALIVE_S = 2.0
"""Seconds an idle connection to an endpoint stays open (Sanic closes its side after 5)."""

_installed = False


def install() -> None:
    """Replace the two Rasa functions (idempotent)."""
    global _installed
    if _installed:
        return
    _cache_action_result_validator()
    _cache_event_classes()
    _keep_endpoint_sessions()
    _installed = True


def _cache_action_result_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    @functools.lru_cache(maxsize=1)
    def validator() -> Any:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        return cls(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            error = best_match(validator().iter_errors(result))  # what jsonschema.validate raises
            if error is not None:
                raise error
            return True
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def _cache_event_classes() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default and cls.type_name == type_name:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


class _Borrowed:
    """`async with` on a kept session: yields it and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _keep_endpoint_sessions() -> None:
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        kept_loop, kept = self.__dict__.get("_bot_session", (None, None))
        if kept is None or kept.closed or kept_loop is not loop:
            auth = (  # as Rasa builds it
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth
                else None
            )
            kept = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            self.__dict__["_bot_session"] = (loop, kept)
        return _Borrowed(kept)

    EndpointConfig.session = session  # type: ignore[method-assign]
