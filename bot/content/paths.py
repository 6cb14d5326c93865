"""Where the FAQ content and its reports are, relative to one root (tests point it at a copy of it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT


@dataclass(frozen=True)
class ProjectPaths:
    """The files and folders of the FAQ content under `root` (the project itself by default)."""

    root: Path = PROJECT_ROOT

    @property
    def domain(self) -> Path:
        """domain.yml: intents, slots and the responses that are not FAQ answers."""
        return self.root / "domain.yml"

    @property
    def tests_dir(self) -> Path:
        """tests/: conversation tests and the held-out sets, which name topics too."""
        return self.root / "tests"

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
        return self.tests_dir / "data" / "heldout_nlu.yml"

    @property
    def heldout_fresh(self) -> Path:
        """The second held-out set: fresh phrasings by a writer who never saw the training data."""
        return self.tests_dir / "data" / "heldout_fresh_nlu.yml"

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
