"""A bot stack a test may break: its own PostgreSQL role and databases, processes it can kill and restart.

The session `stack` fixture must stay healthy for every other test; fault and canary tests use this
one instead. Both databases (application and tracker) belong to one private role, so
`block_database()` makes them unreachable for real (new logins refused, open connections
terminated) and `unblock_database()` brings them back.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bot.commands import action_server_command, rasa_server_command
from bot.run import Stack, child_environment
from bot.settings import Settings
from tests.conftest import prepare_database, stack_settings
from tests.support.databases import POSTGRES_URL

ACTION_SERVER = "action server"
RASA = "rasa"


class PrivatePostgres:
    """A LOGIN role owning two fresh databases (`…_app`, `…_tracker`) on the test PostgreSQL server."""

    def __init__(self) -> None:
        self.role = f"rel_{uuid.uuid4().hex[:10]}"
        self._admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
        base = make_url(POSTGRES_URL).set(username=self.role, password=None)
        self.app_url = base.set(database=f"{self.role}_app").render_as_string(hide_password=False)
        self.tracker_url = base.set(
            drivername="postgresql", database=f"{self.role}_tracker"
        ).render_as_string(hide_password=False)

    @property
    def databases(self) -> list[str]:
        """The two database names."""
        return [f"{self.role}_app", f"{self.role}_tracker"]

    def create(self) -> PrivatePostgres:
        """Create the role and its databases."""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE ROLE "{self.role}" LOGIN'))
            for name in self.databases:
                connection.execute(text(f'CREATE DATABASE "{name}" OWNER "{self.role}"'))
        return self

    def block(self) -> None:
        """Refuse the role's logins and cut its open connections: the databases are unreachable."""
        with self._admin.connect() as connection:
            connection.execute(text(f'ALTER ROLE "{self.role}" NOLOGIN'))
            self._terminate(connection)

    def unblock(self) -> None:
        """Accept the role's logins again."""
        with self._admin.connect() as connection:
            connection.execute(text(f'ALTER ROLE "{self.role}" LOGIN'))

    def drop(self) -> None:
        """Remove the databases and the role."""
        with self._admin.connect() as connection:
            self._terminate(connection)
            for name in self.databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{self.role}"'))
        self._admin.dispose()

    def engine(self, url: str) -> Engine:
        """An engine on one of the databases (as the admin user, so it works while blocked)."""
        admin = make_url(POSTGRES_URL)
        return create_engine(make_url(url).set(username=admin.username, password=admin.password), future=True)

    def _terminate(self, connection: object) -> None:
        connection.execute(  # type: ignore[attr-defined]
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role"),
            {"role": self.role},
        )


class PrivateStack:
    """The action server and the Rasa server with their environment kept, so each can be restarted."""

    def __init__(self, settings: Settings, model: Path, log_dir: Path, *, extra_env: dict[str, str]) -> None:
        self.settings = settings
        self.model = model
        self.log_dir = log_dir
        self.stack = Stack(settings, secrets.token_urlsafe(24), action_secret=secrets.token_urlsafe(24))
        self.env = {
            **child_environment(settings, self.stack.auth_token, self.stack.action_secret),
            **extra_env,
        }
        self._logs: list[IO[bytes]] = []

    @property
    def auth_token(self) -> str:
        """The Rasa HTTP API token."""
        return self.stack.auth_token

    def start(self, name: str) -> None:
        """Start one server (appending to its log) and wait until it answers."""
        log_dir = self.log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / ("actions.log" if name == ACTION_SERVER else "rasa.log"), "ab")  # noqa: SIM115 - closed by stop()
        self._logs.append(log)
        command = (
            action_server_command(self.settings)
            if name == ACTION_SERVER
            else rasa_server_command(self.settings, self.model)
        )
        self.stack.start(name, command, self.env, log)
        ready = (
            f"http://127.0.0.1:{self.settings.action_port}/health"
            if name == ACTION_SERVER
            else f"{self.settings.rasa_url}/"
        )
        self.stack.wait_ready(checks={name: ready})

    def signal(self, name: str, signum: signal.Signals) -> None:
        """Send `signum` to one server's process group and wait for it to exit."""
        process = self.stack.processes.pop(name)
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def stop(self) -> None:
        """Stop everything still running and close the logs."""
        self.stack.stop()
        for log in self._logs:
            log.close()

    def health(self) -> dict:
        """The REST channel's health report (conversation store counters)."""
        return httpx.get(f"{self.settings.rasa_url}/webhooks/rest/", timeout=10).json()


@contextmanager
def private_stack(
    model: Path, var_dir: Path, *, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[PrivateStack, PrivatePostgres]]:
    """A running private stack on a private PostgreSQL role; everything is removed afterwards."""
    database = PrivatePostgres().create()
    try:
        settings = stack_settings(
            var_dir, DATABASE_URL=database.app_url, TRACKER_STORE_URL=database.tracker_url
        )
        prepare_database(settings)
        stack = PrivateStack(settings, model, var_dir / "logs", extra_env=extra_env or {})
        try:
            stack.start(ACTION_SERVER)
            stack.start(RASA)
            yield stack, database
        finally:
            stack.stop()
    finally:
        database.unblock()
        database.drop()
