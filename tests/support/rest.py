"""A small client for Rasa's REST channel, as an applicant's app would use it."""

from __future__ import annotations

from typing import Any

import httpx


class RestClient:
    """Sends applicant messages to `/webhooks/rest/webhook` and returns the bot's replies."""

    def __init__(self, rasa_url: str, *, timeout: float = 60.0) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self._client = httpx.Client(timeout=timeout)

    def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send one message; return the list of bot messages (text, buttons, ...)."""
        response = self._client.post(self.url, json={"sender": sender, "message": text})
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, text: str) -> str:
        """Send one message; return all reply texts joined by newlines."""
        return "\n".join(message.get("text", "") for message in self.send(sender, text))

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
