"""Elliptical follow-ups after a FAQ answer (「个体工商户也一样吗？」 after fees), read against that topic.

The aspects, their words and the answers for (topic just answered, aspect) pairs are data, in
data/followups.yml (its header says when a message counts as such a follow-up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.paths import ProjectPaths
from bot.normalization import normalize

_PUNCTUATION = re.compile(r"[\s\W_]+")
_PARTICLES = re.compile(r"[吗嘛么啊呀吧要呢的了]")


@dataclass(frozen=True)
class Aspect:
    """Something a follow-up may ask about, the topic that answers it alone, and the words naming it."""

    name: str
    topic: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class FollowUps:
    """The contents of data/followups.yml."""

    max_chars: int
    markers: tuple[str, ...]
    aspects: tuple[Aspect, ...]
    answers: dict[tuple[str, str], str]

    @classmethod
    def load(cls, path: Path) -> FollowUps:
        """Read the file (a malformed one raises: it ships with the code and is tested)."""
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            max_chars=int(raw["max_chars"]),
            markers=tuple(str(marker) for marker in raw["markers"]),
            aspects=tuple(
                Aspect(str(name), str(item["topic"]), tuple(str(word) for word in item["words"]))
                for name, item in raw["aspects"].items()
            ),
            answers={
                (str(item["after"]), str(item["aspect"])): str(item["text"]).strip()
                for item in raw["answers"]
            },
        )

    def aspect_of(self, text: str) -> Aspect | None:
        """The aspect an elliptical follow-up in `text` asks about, or None when `text` is not one."""
        compact = _PUNCTUATION.sub("", normalize(text))
        if not compact or len(compact) > self.max_chars:
            return None
        for aspect in self.aspects:
            word = next((word for word in aspect.words if word in compact), None)
            if word is None:
                continue
            rest = _PARTICLES.sub("", compact.replace(word, ""))
            if any(marker in compact for marker in self.markers) or len(rest) <= 1:
                return aspect
        return None

    def answer(self, text: str, last_topic: str) -> tuple[str | None, str] | None:
        """For a follow-up after `last_topic`: (the pair's own text or None, the aspect's topic); else None."""
        aspect = self.aspect_of(text)
        if aspect is None or aspect.topic == last_topic:
            return None
        return self.answers.get((last_topic, aspect.name)), aspect.topic


def followups_path() -> Path:
    """data/followups.yml."""
    return ProjectPaths().data_dir / "followups.yml"


@lru_cache(maxsize=1)
def followups() -> FollowUps:
    """The follow-ups file, read once per process."""
    return FollowUps.load(followups_path())
