"""Score a trained model on the held-out set: what the bot would do with each question, and metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.metrics import precision_recall_fscore_support

from bot.answers.selection import candidates, decide
from bot.content.paths import ProjectPaths
from bot.content.source import labelled_phrasings
from bot.content.topic_files import RETRIEVAL_INTENT

OUT_OF_SCOPE = "out_of_scope"
UNCERTAIN = "uncertain"
"""The bot offered topics as buttons (or admitted it did not know) instead of answering."""
FALLBACK_LABELS = frozenset({UNCERTAIN, "nlu_fallback"})

Parser = Callable[[str], Awaitable[dict[str, Any]]]
Interpreter = Callable[[dict[str, Any]], tuple[str, str, tuple[str, ...]]]
"""Turns one parse result into (top1, acted, offered): what a bot would do with it."""


@dataclass(frozen=True)
class Example:
    """A held-out question and the label it should get (`faq/<key>` or an intent name)."""

    text: str
    expected: str


@dataclass(frozen=True)
class Prediction:
    """What the model did with one example."""

    example: Example
    top1: str
    """The best guess ignoring thresholds: `faq/<top topic>` when the intent is faq, else the intent."""
    acted: str
    """What the bot would do: `faq/<key>` answered, `uncertain`, or the intent it acts on."""
    offered: tuple[str, ...] = ()


@dataclass
class LabelScore:
    """Precision, recall and F1 of one label."""

    label: str
    support: int
    precision: float
    recall: float
    f1: float
    true_positives: int = 0
    """Test questions of this label the model got right."""
    false_positives: int = 0
    """Test questions of other labels the model took for this one."""


@dataclass
class Scores:
    """Every figure the quality gate, the report and the benchmark use."""

    total: int
    faq_total: int
    faq_top1_accuracy: float
    faq_answered_correctly: float
    faq_answered_wrongly: float
    faq_fell_back: float
    out_of_scope_recall: float
    macro_f1: float
    per_label: list[LabelScore] = field(default_factory=list)
    confused: list[tuple[str, str, int, list[str]]] = field(default_factory=list)


def load_examples(path: Path | None = None) -> list[Example]:
    """Read a Rasa NLU YAML file (default: the held-out set) into examples."""
    return [Example(text, intent) for text, intent in labelled_phrasings([path or ProjectPaths().heldout])]


def interpret(parse_data: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """Return (top1, acted, offered) for one parse result, as `actions.faq` would act on it."""
    intent = (parse_data.get("intent") or {}).get("name") or "nlu_fallback"
    ranked = candidates(parse_data)
    top1 = f"{RETRIEVAL_INTENT}/{ranked[0].key}" if intent == RETRIEVAL_INTENT and ranked else intent
    if intent not in (RETRIEVAL_INTENT, "nlu_fallback"):
        return top1, intent, ()
    decision = decide(parse_data)
    if decision.answer:
        return top1, f"{RETRIEVAL_INTENT}/{decision.answer}", ()
    return top1, UNCERTAIN, decision.offered


async def predict(
    parse: Parser, examples: Iterable[Example], interpreter: Interpreter = interpret
) -> list[Prediction]:
    """Run every example through `parse` (e.g. `Agent.parse_message`), acting on it as `interpreter` says."""
    predictions = []
    for example in examples:
        top1, acted, offered = interpreter(await parse(example.text))
        predictions.append(Prediction(example, top1, acted, offered))
    return predictions


def _ratio(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def _label_scores(pairs: list[tuple[str, str]]) -> list[LabelScore]:
    """Precision, recall and F1 of every expected label (0 where a ratio has nothing to divide by)."""
    labels = sorted({expected for expected, _ in pairs})
    if not labels:
        return []
    expected, predicted = zip(*pairs)
    figures = precision_recall_fscore_support(expected, predicted, labels=labels, zero_division=0)
    right = Counter(e for e, p in pairs if e == p)
    taken = Counter(p for e, p in pairs if e != p)
    return [
        LabelScore(
            label, int(support), float(precision), float(recall), float(f1), right[label], taken[label]
        )
        for label, precision, recall, f1, support in zip(labels, *figures)
    ]


def score(predictions: list[Prediction], *, most_confused: int = 10) -> Scores:
    """Compute the figures for a list of predictions."""
    faq = [p for p in predictions if p.example.expected.startswith(f"{RETRIEVAL_INTENT}/")]
    oos = [p for p in predictions if p.example.expected == OUT_OF_SCOPE]
    per_label = _label_scores([(p.example.expected, p.top1) for p in predictions])
    confusion: Counter[tuple[str, str]] = Counter(
        (p.example.expected, p.top1) for p in predictions if p.example.expected != p.top1
    )
    confused = [
        (
            expected,
            got,
            count,
            [p.example.text for p in predictions if (p.example.expected, p.top1) == (expected, got)][:3],
        )
        for (expected, got), count in confusion.most_common(most_confused)
    ]
    return Scores(
        total=len(predictions),
        faq_total=len(faq),
        faq_top1_accuracy=_ratio(sum(p.top1 == p.example.expected for p in faq), len(faq)),
        faq_answered_correctly=_ratio(sum(p.acted == p.example.expected for p in faq), len(faq)),
        faq_answered_wrongly=_ratio(
            sum(p.acted.startswith(f"{RETRIEVAL_INTENT}/") and p.acted != p.example.expected for p in faq),
            len(faq),
        ),
        faq_fell_back=_ratio(sum(p.acted in FALLBACK_LABELS for p in faq), len(faq)),
        out_of_scope_recall=_ratio(sum(p.acted in (OUT_OF_SCOPE, *FALLBACK_LABELS) for p in oos), len(oos)),
        macro_f1=_ratio(sum(s.f1 for s in per_label), len(per_label)),
        per_label=per_label,
        confused=confused,
    )


async def evaluate_model(
    model: Path, examples: list[Example] | None = None, interpreter: Interpreter = interpret
) -> tuple[Scores, list[Prediction]]:
    """Load `model` in this process and score it on `examples` (default: the held-out set)."""
    from rasa.core.agent import Agent  # heavy: imported only when a model is evaluated

    agent = Agent.load(str(model))
    predictions = await predict(agent.parse_message, examples or load_examples(), interpreter)
    return score(predictions), predictions


def format_scores(scores: Scores) -> str:
    """A plain-text summary: headline figures, per-label table, most-confused pairs."""
    lines = [
        f"held-out examples: {scores.total} (FAQ: {scores.faq_total})",
        f"FAQ top-1 topic accuracy:   {scores.faq_top1_accuracy:.1%}",
        f"FAQ answered correctly:     {scores.faq_answered_correctly:.1%}",
        f"FAQ answered wrongly:       {scores.faq_answered_wrongly:.1%}",
        f"FAQ fell back (buttons):    {scores.faq_fell_back:.1%}",
        f"out-of-scope recall:        {scores.out_of_scope_recall:.1%}",
        f"macro F1 (all labels):      {scores.macro_f1:.3f}",
        "",
        f"{'label':<32} {'n':>3} {'prec':>6} {'recall':>6} {'f1':>6}",
    ]
    lines += [
        f"{s.label:<32} {s.support:>3} {s.precision:>6.2f} {s.recall:>6.2f} {s.f1:>6.2f}"
        for s in scores.per_label
    ]
    lines += ["", "most confused (expected -> predicted, count, examples):"]
    lines += [f"  {e} -> {g} ×{n}: {' | '.join(texts)}" for e, g, n, texts in scores.confused]
    return "\n".join(lines)
