"""Start the action server and the Rasa server (and the Telegram gateway when configured) as one unit.

`python -m bot.run` stays in the foreground, starts again a child that exits or hangs
(bot.supervisor: back-off, a clear stop on a crash loop) and stops every child on Ctrl-C or SIGTERM;
`python -m bot.run --shell` chats in the terminal instead of serving HTTP.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from bot.commands import action_server_command, rasa_server_command
from bot.live import RunningBot, forget_running, record_running
from bot.scale import scaled_children
from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV, Settings
from bot.supervisor import CrashLoop, Policy, Supervisor, answers
from bot.train import model_path

READY_TIMEOUT_S = 120.0


class StackError(RuntimeError):
    """A server did not start or stopped unexpectedly; the message says which."""


WEB_SESSION_SECRET_FILE = "web_session_secret"


def web_session_secret(settings: Settings) -> str:
    """WEB_SESSION_SECRET, or the one kept under var/ (created once, readable by its owner only).

    Kept on disk so that web-chat sessions survive a restart; production sets the variable
    (every Rasa worker must sign with the same secret).
    """
    if settings.web_session_secret:
        return settings.web_session_secret
    path = settings.var_dir / WEB_SESSION_SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret)
    return secret


def child_environment(
    settings: Settings, auth_token: str, action_secret: str | None = None
) -> dict[str, str]:
    """The environment every child process gets: embedded defaults filled in, secrets passed on."""
    env = {**os.environ, **RASA_PROCESS_ENV}
    if secret := action_secret or settings.action_secret:
        env["ACTION_SERVER_SECRET"] = secret
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        DATABASE_URL=settings.database_url,
        TRACKER_STORE_URL=settings.tracker_store_url,
        ACTION_PORT=str(settings.action_port),
        RASA_URL=settings.rasa_url,
        RASA_AUTH_TOKEN=auth_token,
        SANIC_HOST="127.0.0.1",  # rasa-sdk binds 0.0.0.0 otherwise
        BOT_VAR_DIR=str(settings.var_dir),
        WEB_SESSION_SECRET=web_session_secret(settings),
        MESSAGES_PER_MINUTE=str(settings.messages_per_minute),
        WEB_CHAT_ORIGINS=",".join(settings.web_chat_origins),
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    if settings.agent_chat_id is not None:
        env["TELEGRAM_AGENT_CHAT_ID"] = str(settings.agent_chat_id)
    # glibc gives each thread (TensorFlow starts dozens) a malloc arena; two save ~75 MB per Rasa server
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def _get(url: str, timeout: float = 2.0) -> bool:
    return answers(url, timeout)


@dataclass(frozen=True)
class ChildSpec:
    """How a child was started, to start it again the same way."""

    command: list[str]
    env: dict[str, str]
    log: IO[bytes] | None
    health_url: str | None


@dataclass
class Stack:
    """The running child processes of one bot."""

    settings: Settings
    auth_token: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    action_secret: str = ""
    specs: dict[str, ChildSpec] = field(default_factory=dict)

    def start(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        log: IO[bytes] | None,
        health_url: str | None = None,
    ) -> None:
        """Start one child in its own process group (`health_url`: what the supervisor asks)."""
        self.specs[name] = ChildSpec(command, env, log, health_url)
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            start_new_session=True,
        )

    def restart(self, name: str) -> None:
        """Start a child again as it was started (after it exited or was killed)."""
        spec = self.specs[name]
        self.start(name, spec.command, spec.env, spec.log, spec.health_url)

    def supervisor(self, policy: Policy | None = None) -> Supervisor:
        """A supervisor of the running children (call its `tick()` regularly)."""
        health = {name: spec.health_url for name, spec in self.specs.items() if spec.health_url}
        return Supervisor(self.processes, self.restart, health, policy)

    def check_alive(self) -> None:
        """Raise StackError when a child has exited."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} exited with code {process.returncode}")

    def wait_ready(self, timeout: float = READY_TIMEOUT_S, checks: dict[str, str] | None = None) -> None:
        """Block until the action server and the Rasa server (or every URL in `checks`) answer."""
        deadline = time.monotonic() + timeout
        checks = checks or {
            "action server": f"http://127.0.0.1:{self.settings.action_port}/health",
            "rasa": f"{self.settings.rasa_url}/",
        }
        while checks:
            self.check_alive()
            checks = {name: url for name, url in checks.items() if not _get(url)}
            if checks and time.monotonic() > deadline:
                raise StackError(f"not ready after {timeout:.0f} s: {', '.join(checks)}")
            if checks:
                time.sleep(0.25)

    def stop(self, timeout: float = 15.0) -> None:
        """Send SIGTERM to every child (then SIGKILL after `timeout`)."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running_stack(
    settings: Settings, model: Path, *, log_dir: Path | None = None, gateway: bool = False
) -> Iterator[Stack]:
    """Start the servers, wait until they answer, and stop them on exit."""
    auth_token = settings.rasa_auth_token or secrets.token_urlsafe(24)
    action_secret = settings.action_secret or secrets.token_urlsafe(24)
    stack = Stack(settings, auth_token, action_secret=action_secret)
    env = child_environment(settings, auth_token, action_secret)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    logs: list[IO[bytes]] = []

    def log_for(name: str) -> IO[bytes] | None:
        if log_dir is None:
            return None
        log_dir.mkdir(parents=True, exist_ok=True)
        logs.append(open(log_dir / f"{name}.log", "ab"))  # noqa: SIM115 - closed when the children stop
        return logs[-1]

    try:
        if settings.rasa_workers > 1:  # the production profile: N Rasa workers behind HAProxy
            children = scaled_children(settings, model, auth_token, env)
            for child in children:
                log = log_for(child.name.replace(" ", "_"))
                stack.start(child.name, child.command, child.env, log, child.supervised_url())
            stack.wait_ready(checks={child.name: child.ready_url for child in children})
            rasa_urls = tuple(f"http://127.0.0.1:{port}" for port in settings.worker_ports())
        else:
            action_health = f"http://127.0.0.1:{settings.action_port}/health"
            stack.start(
                "action server", action_server_command(settings), env, log_for("actions"), action_health
            )
            stack.start(
                "rasa", rasa_server_command(settings, model), env, log_for("rasa"), f"{settings.rasa_url}/"
            )
            stack.wait_ready()
            rasa_urls = (f"http://127.0.0.1:{settings.rasa_port}",)
        record_running(settings, RunningBot(os.getpid(), rasa_urls, auth_token, model.name))
        if gateway:
            stack.start("gateway", [sys.executable, "-m", "bot.gateway"], env, log_for("gateway"))
        yield stack
    finally:
        forget_running(settings, os.getpid())
        stack.stop()
        for log in logs:
            log.close()


GATEWAY_ELSEWHERE = "TELEGRAM_GATEWAY_ELSEWHERE"
"""Set to 1 where the agents group is served by a gateway on another machine (or another `make run`)."""
NO_GATEWAY_NOTICE = (
    "注意 / note: TELEGRAM_AGENT_CHAT_ID 已设置，但这里没有 TELEGRAM_BOT_TOKEN，不会启动 Telegram 网关，"
    "客服看不到转人工请求：机器人不会转人工，会告诉用户其他联系客服的方式。"
    f"网关在别处运行时请设置 {GATEWAY_ELSEWHERE}=1。"
    " / no gateway serves the agents group here, so nobody is handed over."
)


def _without_unserved_agents_group(settings: Settings, gateway: bool) -> Settings:
    """Forget the agents group when no gateway will serve it (none here, none declared elsewhere):
    a handoff nobody can see would leave the applicant waiting for ever."""
    if settings.agent_chat_id is None or gateway or os.environ.get(GATEWAY_ELSEWHERE) == "1":
        return settings
    print(NO_GATEWAY_NOTICE, flush=True)
    os.environ.pop("TELEGRAM_AGENT_CHAT_ID", None)  # the children inherit this environment
    return replace(settings, agent_chat_id=None)


def _serve(settings: Settings, model: Path) -> int:
    gateway = bool(os.environ.get("TELEGRAM_BOT_TOKEN"))
    settings = _without_unserved_agents_group(settings, gateway)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    with running_stack(settings, model, gateway=gateway) as stack:
        supervisor = stack.supervisor(Policy.from_env())
        print(
            f"\n机器人已启动 / bot is up: REST {settings.rasa_url}/webhooks/rest/webhook , "
            f"socket.io {settings.rasa_url}/socket.io"
            + (" , Telegram gateway on" if gateway else " (set TELEGRAM_BOT_TOKEN for Telegram)")
            + " — Ctrl-C stops it.",
            flush=True,
        )
        while not stopping:
            supervisor.tick()
            time.sleep(0.5)
    print("已停止 / stopped.", flush=True)
    return 0


def _shell(settings: Settings, model: Path) -> int:
    auth_token = settings.rasa_auth_token or secrets.token_urlsafe(24)
    action_secret = settings.action_secret or secrets.token_urlsafe(24)
    env = child_environment(settings, auth_token, action_secret)
    stack = Stack(settings, auth_token, action_secret=action_secret)
    stack.start("action server", action_server_command(settings), env, None)
    try:
        command = [
            sys.executable,
            "-m",
            "bot.rasa_server",
            "shell",
            "--model",
            str(model),
            "--endpoints",
            "endpoints.yml",
            "--port",
            str(settings.rasa_port),
        ]
        return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.run", description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    model = model_path(settings.models_dir)
    if not model.exists():
        print(
            f"没有找到训练好的模型 {model}，请先运行 `make train`（`make run` 会自动训练）。", file=sys.stderr
        )
        return 2
    try:
        return _shell(settings, model) if args.shell else _serve(settings, model)
    except CrashLoop as error:
        print(f"已停止：一个服务反复崩溃，不再重启 / stopped, crash loop: {error}", file=sys.stderr)
        return 1
    except StackError as error:
        print(f"启动失败 / failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
