"""The labels a trained model can predict, read from the domain inside its archive (no model is loaded)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import yaml

DOMAIN_MEMBER = "components/domain_provider/domain.yml"
_FAQ_RESPONSE = "utter_faq/"


def known_labels(model: Path) -> frozenset[str] | None:
    """Its intents and FAQ topics (`faq/<key>`, from the `utter_faq/<key>` responses); None if unreadable."""
    try:
        with tarfile.open(model, "r:gz") as archive:
            member = next(
                (m for m in archive.getmembers() if m.name.lstrip("/").endswith(DOMAIN_MEMBER)), None
            )
            stream = archive.extractfile(member) if member is not None else None
            domain = yaml.safe_load(stream.read().decode("utf-8")) if stream is not None else None
    except (OSError, tarfile.TarError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(domain, dict):
        return None
    intents = {
        next(iter(item)) if isinstance(item, dict) else str(item) for item in domain.get("intents") or []
    }
    topics = {
        "faq/" + name.removeprefix(_FAQ_RESPONSE)
        for name in domain.get("responses") or {}
        if str(name).startswith(_FAQ_RESPONSE)
    }
    return frozenset(intents | topics) if topics else None
