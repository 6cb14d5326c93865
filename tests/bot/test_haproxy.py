"""HAProxy's configuration as bot/haproxy.py renders it: HAProxy accepts it and it says what the README says."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bot.haproxy import ERROR_TEXTS, GENERATED, MISDIRECTED, error_body, main, render, write_config

WORKERS = ["127.0.0.1:7001", "127.0.0.1:7002"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def checked(config: Path) -> None:
    """HAProxy itself accepts the configuration (`haproxy -c`)."""
    result = subprocess.run(
        ["haproxy", "-c", "-q", "-f", str(config)], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def http_errors(text: str) -> dict[int, dict[str, str]]:
    """The `http-error` lines of the defaults: status → the JSON body HAProxy answers with."""
    defaults = text.split("\ndefaults\n")[1].split("\nfrontend ")[0]
    found = re.findall(
        r'^    http-error status (\d+) content-type "([^"]+)" string "(.*)"$', defaults, re.MULTILINE
    )
    return {
        int(status): {"type": kind, **json.loads(body.replace('\\"', '"'))} for status, kind, body in found
    }


def test_every_status_haproxy_generates_is_chinese_json(tmp_path: Path) -> None:
    config = write_config(tmp_path / "haproxy.cfg", "127.0.0.1:7000", WORKERS, monitor="127.0.0.1:6999")
    checked(config)
    errors = http_errors(config.read_text())
    assert set(errors) == set(GENERATED)  # everything HAProxy 2.6 can answer on its own
    for status, error in errors.items():
        assert error["type"] == "application/json; charset=utf-8"
        assert error["error"] == ERROR_TEXTS[status] and CJK.search(error["error"]), status
    assert json.loads(error_body(503)) == {"error": "抱歉，系统暂时繁忙，请稍后再试。"}


def test_what_the_parser_refuses_is_closed_without_an_english_page() -> None:
    frontend = render("127.0.0.1:7000", WORKERS).split("frontend bot\n")[1].split("\nfrontend ")[0]
    assert "errorfile 400 /dev/null" in frontend and "errorfile 408 /dev/null" in frontend
    # the body is waited for in the backends, whose 408 is the Chinese one from the defaults
    for backend in ("rasa", "socketio"):
        assert "option http-buffer-request" in render("x:1", WORKERS).split(f"\nbackend {backend}\n")[1]


def test_readiness_is_served_on_its_own_listener_not_the_public_one() -> None:
    text = render("0.0.0.0:5005", WORKERS, monitor="127.0.0.1:5004")
    public, monitor = text.split("frontend bot\n")[1].split("frontend monitor\n")
    assert "/haproxy/ready" not in public and "monitor-uri" not in public
    assert "bind 127.0.0.1:5004" in monitor and "monitor-uri /haproxy/ready" in monitor
    assert "monitor fail if { nbsrv(rasa) lt 2 }" in monitor


def test_host_names_are_checked_only_when_given(tmp_path: Path) -> None:
    without = render("127.0.0.1:7000", WORKERS)
    assert f"return status {MISDIRECTED}" not in without and "no Host check" in without

    config = write_config(
        tmp_path / "haproxy.cfg", "0.0.0.0:7000", WORKERS, host_names=["Bot.Example.com", "chat.example.com"]
    )
    checked(config)
    text = config.read_text()
    assert "acl public_host var(txn.host) -m str bot.example.com chat.example.com localhost" in text
    refusal = next(line for line in text.splitlines() if f"return status {MISDIRECTED}" in line)
    assert ERROR_TEXTS[MISDIRECTED] in refusal and refusal.endswith("unless public_host || address_host")


def test_the_request_timeout_is_configurable() -> None:
    assert "timeout http-request 2s" in render("127.0.0.1:7000", WORKERS, request_timeout_s=2)
    assert "timeout http-request 10s" in render("127.0.0.1:7000", WORKERS)


def test_the_command_line_renders_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--bind", "0.0.0.0:5005", "--monitor", "127.0.0.1:5104", "--public-host", "bot.example.com"]
    assert main([*argv, "--worker", WORKERS[0], "--worker", WORKERS[1], "--request-timeout", "5"]) == 0
    assert capsys.readouterr().out == render(
        "0.0.0.0:5005",
        WORKERS,
        monitor="127.0.0.1:5104",
        host_names=["bot.example.com"],
        request_timeout_s=5,
    )
