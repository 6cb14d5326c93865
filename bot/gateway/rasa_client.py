"""Rasa's HTTP interfaces the gateway uses: its channel (one turn) and resuming a paused conversation."""

from __future__ import annotations

from typing import Any

import httpx

from bot.errors import UpstreamUnavailable
from bot.inbound import MAX_INPUT_CHARS

TURN_PATH = "/webhooks/gateway/webhook"
"""`bot.rasa_ext.rest_channel.GatewayInput`: takes `tg:` conversation ids, with the API token."""
RESUME_PATH = "/webhooks/gateway/resume"
"""Resumes a paused conversation of any channel; the id travels in the body, exactly."""


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
        try:
            response = await self._client.post(
                TURN_PATH, json={"sender": sender, "message": text[:MAX_INPUT_CHARS]}, headers=self._headers()
            )
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UpstreamUnavailable(f"rasa turn failed: {type(error).__name__}") from error
        if not isinstance(messages, list):
            raise UpstreamUnavailable("rasa answered something other than a list")
        return [message for message in messages if isinstance(message, dict)]

    async def resume(self, sender: str) -> None:
        """Give a paused conversation (of any channel) back to the bot; it listens for the next message."""
        try:
            response = await self._client.post(RESUME_PATH, json={"sender": sender}, headers=self._headers())
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise UpstreamUnavailable(f"rasa resume failed: {type(error).__name__}") from error

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._auth_token}"} if self._auth_token else {}

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
