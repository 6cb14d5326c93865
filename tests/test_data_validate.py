"""`rasa data validate` finds nothing wrong with config.yml, domain.yml and data/."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV

pytestmark = pytest.mark.rasa

UNUSED_UTTERANCE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
# Rasa adds the retrieval intent found in data/nlu/faq/ to the domain as well; without `faq` in
# domain.yml, rules using it are reported instead ("not part of the domain"), which is worse.
RETRIEVAL_INTENT_LISTED_TWICE = (
    "The following duplicated intents have been found across multiple domain files: faq"
)


def responses_sent_by_actions() -> set[str]:
    """Responses our actions and channel send (the validator only looks at stories and rules)."""
    paths = [
        *(PROJECT_ROOT / "actions").glob("*.py"),
        *(PROJECT_ROOT / "bot" / "rasa_ext").glob("*.py"),
        PROJECT_ROOT / "bot" / "errors.py",
        PROJECT_ROOT / "bot" / "identity.py",
        PROJECT_ROOT / "bot" / "inbound.py",
    ]
    sources = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    named = set(re.findall(r"""["'](utter_\w+)["']""", sources))
    # action_answer_faq serves every utter_faq/<key> answer from data/nlu/faq/.
    return named | {"utter_faq"}


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **RASA_PROCESS_ENV},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    warnings = [line for line in output.splitlines() if "UserWarning:" in line]
    unexplained = [
        line
        for line in warnings
        if RETRIEVAL_INTENT_LISTED_TWICE not in line
        and not ((match := UNUSED_UTTERANCE.search(line)) and match.group(1) in responses_sent_by_actions())
    ]
    assert unexplained == [], "\n".join(unexplained)
