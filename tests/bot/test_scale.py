"""RASA_WORKERS > 1: which processes start, on which ports, with which environment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.scale import Child, scaled_children
from bot.settings import Settings, SettingsError

MODEL = Path("models/m.tar.gz")


def settings(**env: str) -> Settings:
    return Settings.from_env({"RASA_PORT": "7000", "ACTION_PORT": "7100", **env})


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HAProxy's configuration is written under BOT_VAR_DIR."""
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    return tmp_path


def first_worker(children: list[Child]) -> Child:
    return next(child for child in children if child.name == "rasa worker 1")


def test_by_default_there_is_one_rasa_process_and_one_action_server() -> None:
    assert settings().rasa_workers == 1 and settings().action_servers == 1


def test_workers_sit_behind_haproxy_on_the_public_port(var_dir: Path) -> None:
    children = scaled_children(settings(RASA_WORKERS="3", ACTION_SERVERS="2"), MODEL, "token", {})
    by_name = {child.name: child for child in children}

    assert list(by_name) == [
        "action server 1",
        "action server 2",
        "rasa worker 1",
        "rasa worker 2",
        "rasa worker 3",
        "haproxy",
    ]
    config = var_dir / "haproxy.cfg"
    assert by_name["haproxy"].command[-3:] == ["-db", "-f", str(config)]
    text = config.read_text()
    assert "bind 127.0.0.1:7000" in text
    for port in (7001, 7002, 7003):
        assert text.count(f"127.0.0.1:{port}") == 2  # in the round-robin and the socket.io backend
    checked = subprocess.run(
        ["haproxy", "-c", "-q", "-f", str(config)], check=False, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert [by_name[f"rasa worker {i}"].env["ACTION_PORT"] for i in (1, 2, 3)] == ["7100", "7101", "7100"]
    assert by_name["action server 2"].ready_url == "http://127.0.0.1:7101/health"
    assert "--port" in by_name["rasa worker 2"].command and "7002" in by_name["rasa worker 2"].command
    # readiness on HAProxy's own listener (RASA_PORT - 1), not on the public port
    assert by_name["haproxy"].ready_url == "http://127.0.0.1:6999/haproxy/ready"
    assert "bind 127.0.0.1:6999" in text and "timeout http-request 10s" in text
    assert "acl public_host var(txn.host) -m str 127.0.0.1 localhost" in text  # RASA_URL's host


def test_haproxy_listens_where_told_and_serves_only_the_public_host_names(var_dir: Path) -> None:
    env = {"RASA_WORKERS": "2", "HAPROXY_MONITOR_PORT": "7500", "HAPROXY_REQUEST_TIMEOUT": "3"}
    children = scaled_children(
        settings(**env, BOT_PUBLIC_HOSTS="Bot.Example.com, chat.example.com"), MODEL, "t", {}
    )
    text = (var_dir / "haproxy.cfg").read_text()

    assert children[-1].ready_url == "http://127.0.0.1:7500/haproxy/ready"
    assert "bind 127.0.0.1:7500" in text and "timeout http-request 3s" in text
    assert "acl public_host var(txn.host) -m str bot.example.com chat.example.com localhost" in text


def test_each_worker_gets_its_share_of_cores_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    chosen_env = {"TF_INTRA_OP_PARALLELISM_THREADS": "3", "SQL_POOL_SIZE": "9"}
    plain = first_worker(scaled_children(settings(RASA_WORKERS="2"), MODEL, "t", {}))
    chosen = first_worker(scaled_children(settings(RASA_WORKERS="2"), MODEL, "t", chosen_env))

    assert plain.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "2"  # 4 cores, 2 workers
    assert (plain.env["TF_INTER_OP_PARALLELISM_THREADS"], plain.env["SQL_POOL_SIZE"]) == ("1", "4")
    assert (chosen.env["TF_INTRA_OP_PARALLELISM_THREADS"], chosen.env["SQL_POOL_SIZE"]) == ("3", "9")


def test_worker_ports_can_be_given() -> None:
    assert settings(RASA_WORKERS="2", RASA_WORKER_PORTS="8001, 8005").worker_ports() == (8001, 8005)


def test_listed_worker_ports_say_how_many_workers_when_not_given() -> None:
    listed = settings(RASA_WORKER_PORTS="8001,8005,8009")
    assert (listed.rasa_workers, listed.worker_ports()) == (3, (8001, 8005, 8009))


@pytest.mark.parametrize(
    "env",
    [
        {"RASA_WORKERS": "0"},
        {"RASA_WORKERS": "2", "RASA_WORKER_PORTS": "8001"},
        {"RASA_WORKERS": "2", "RASA_WORKER_PORTS": "a,b"},
        {"ACTION_SERVERS": "0"},
        {"BOT_PUBLIC_HOSTS": "https://bot.example.com"},
        {"BOT_PUBLIC_HOSTS": "bot.example.com:443"},
        {"BOT_PUBLIC_HOSTS": "bot example"},
        {"HAPROXY_REQUEST_TIMEOUT": "0"},
    ],
)
def test_bad_scale_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        settings(**env)
