"""Rasa's HTTP interfaces the gateway uses: its channel (one turn) and resuming a paused conversation."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from bot.errors import UpstreamUnavailable
from bot.inbound import MAX_INPUT_CHARS

TURN_PATH = "/webhooks/gateway/webhook"
"""`bot.rasa_ext.rest_channel.GatewayInput`: takes `tg:` conversation ids, with the API token."""


class RasaClient:
    """Talks to one Rasa server; raises UpstreamUnavailable when it does not answer properly."""

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str | None = None,
        timeout: float = 70.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._auth_token = auth_token
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            transport=transport,
        )

    async def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send one user message of conversation `sender` (`tg:…`); return Rasa's bot messages (maybe none)."""
        headers = {"Authorization": f"Bearer {self._auth_token}"} if self._auth_token else {}
        try:
            response = await self._client.post(
                TURN_PATH, json={"sender": sender, "message": text[:MAX_INPUT_CHARS]}, headers=headers
            )
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UpstreamUnavailable(f"rasa turn failed: {type(error).__name__}") from error
        if not isinstance(messages, list):
            raise UpstreamUnavailable("rasa answered something other than a list")
        return [message for message in messages if isinstance(message, dict)]

    async def resume(self, sender: str) -> None:
        """Resume a paused conversation, then mark it as listening so the rules apply to the next message."""
        params = {"include_events": "NONE"}
        if self._auth_token:
            params["token"] = self._auth_token
        events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        try:
            response = await self._client.post(
                f"/conversations/{quote(sender, safe='')}/tracker/events", params=params, json=events
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise UpstreamUnavailable(f"rasa resume failed: {type(error).__name__}") from error

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
