"""Where the editor tools find the project's files, relative to one root (tests point it at a copy)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT


@dataclass(frozen=True)
class ProjectPaths:
    """The files and folders the FAQ tools read and write under `root`."""

    root: Path = PROJECT_ROOT

    @property
    def data_dir(self) -> Path:
        """data/: NLU files, rules, stories, facts."""
        return self.root / "data"

    @property
    def nlu_dir(self) -> Path:
        """data/nlu/: every training phrasing."""
        return self.data_dir / "nlu"

    @property
    def faq_dir(self) -> Path:
        """data/nlu/faq/: one file per FAQ topic."""
        return self.nlu_dir / "faq"

    @property
    def facts(self) -> Path:
        """data/facts.yml: the facts answers must agree with."""
        return self.data_dir / "facts.yml"

    @property
    def heldout(self) -> Path:
        """The held-out evaluation set (never used for training)."""
        return self.root / "tests" / "data" / "heldout_nlu.yml"

    @property
    def reports_dir(self) -> Path:
        """docs/reports/: the evaluation report of the last `make evaluate`."""
        return self.root / "docs" / "reports"

    def topic_file(self, key: str) -> Path:
        """The file of FAQ topic `key` (it may not exist yet)."""
        return self.faq_dir / f"{key}.yml"

    def relative(self, path: Path) -> str:
        """`path` relative to the root when it is inside it, for messages."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
