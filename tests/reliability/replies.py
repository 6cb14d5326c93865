"""What the reliability tests look for in replies: domain texts, disclosed records, silence."""

from __future__ import annotations

from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))

DEMO_APPLICATIONS = {
    "RZ202611200001": ("北京云帆科技有限公司", "91110108MA01B2C344"),
    "RZ202611180002": ("杭州青禾网络科技有限公司", "91330106MA2H7K4L6Q"),
    "RZ202611150003": ("深圳市海川教育咨询有限公司", "91440305MA5D8N2P1D"),
    "RZ202611100004": ("上海星河医疗器械有限公司", "91310115MA1G6R9T4Q"),
    "RZ202611120005": ("成都市武侯区老李小吃店", "92510107MA6C3E1Q2Q"),
    "RZ202611210006": ("天津（滨海）智造有限公司", "91120116MA07F5W298"),
}
DISCLOSURES = (
    "企业名称：",  # the report's labels; FAQ answers name 企业名称 too, never with the colon
    "当前状态：",
    *(company for company, _ in DEMO_APPLICATIONS.values()),
    *(code for _, code in DEMO_APPLICATIONS.values()),
)
"""Strings that only a status report (or a leak) contains."""


def response_text(name: str, **values: object) -> str:
    """The first text variant of a domain response, filled in."""
    return DOMAIN["responses"][name][0]["text"].strip().format(**values)


def disclosed(replies: list[dict[str, Any]]) -> list[str]:
    """The report-only strings found in `replies`."""
    text = "\n".join(str(reply.get("text", "")) for reply in replies)
    return [marker for marker in DISCLOSURES if marker in text]


def is_silent(replies: list[dict[str, Any]]) -> bool:
    """True when the bot said nothing a person could read."""
    return not any(str(reply.get("text") or "").strip() or reply.get("buttons") for reply in replies)


def has_chinese(replies: list[dict[str, Any]]) -> bool:
    """True when some reply contains Chinese text."""
    return any("\u4e00" <= char <= "\u9fff" for reply in replies for char in str(reply.get("text", "")))
