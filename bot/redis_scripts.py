"""An asyncio Redis client per event loop with its Lua scripts registered (conversation locks, message limits)."""

from __future__ import annotations

import asyncio
from typing import Any


class LoopRedis:
    """`client()` and `script(name)` for the running event loop; made on first use in each loop.

    An asyncio Redis client belongs to the loop it was made in, and Rasa, Sanic and the tests each run
    their own loops in one process, so a client is remade when the loop changes. Importing or
    constructing this connects to nothing.
    """

    def __init__(self, url: str, scripts: dict[str, str], **options: Any) -> None:
        self._url = url
        self._sources = scripts
        self._options = options
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scripts: dict[str, Any] = {}

    def client(self) -> Any:
        """The client of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            from redis import asyncio as aioredis

            self._client = aioredis.Redis.from_url(self._url, **self._options)
            self._loop = loop
            self._scripts = {
                name: self._client.register_script(source) for name, source in self._sources.items()
            }
        return self._client

    def script(self, name: str) -> Any:
        """The registered script `name`, callable as `await script(keys=[…], args=[…])`."""
        self.client()
        return self._scripts[name]

    async def close(self) -> None:
        """Close the connections (tests; servers end with their process)."""
        if self._client is not None:
            await self._client.close()
            self._client = None
