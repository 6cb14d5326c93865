"""Write a run's figures as docs/benchmarks.md (for people) and docs/benchmarks.json (raw numbers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.side_by_side import stock_beside

QUALITY_ROWS = (
    ("faq_top1_accuracy", "FAQ top-1 topic accuracy", "percent"),
    ("faq_answered_correctly", "FAQ answered correctly", "percent"),
    ("faq_answered_wrongly", "FAQ answered wrongly", "percent"),
    ("faq_fell_back", "FAQ fell back (buttons / not understood)", "percent"),
    ("out_of_scope_recall", "out-of-scope recall", "percent"),
    ("macro_f1", "macro-F1 (all labels)", "plain"),
)
LOAD_COLUMNS = (
    "concurrency",
    "messages",
    "messages_per_second",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "errors",
    "empty_replies",
    "unexpected_replies",
)
SCENARIO_TITLES = {"faq": "FAQ questions", "status_lookup": "status lookup (ID, then code)"}
MET = {True: "met", False: "**missed**", None: "not measured"}

METHOD = """\
- **Applicants** are closed loops over the REST channel (`/webhooks/rest/webhook`): each sends its
  next message as soon as the reply arrives, in conversations of 4 FAQ questions (the held-out
  set's phrasings, never trained on) or of one status lookup (`查询进度 <ID>`, then the last six
  characters of the credit code; the reply must carry `当前状态：<status>`), each with a fresh
  sender id. Latency is measured at the client, through HAProxy in the production profile.
  msg/s is messages answered per second of wall time at that level.
- **Failures** are counted, never retried: errors (no HTTP 200 with a JSON list), empty
  replies (`[]`, which Rasa's REST channel returns for any exception) and unexpected replies.
- **Long conversation**: applicants ask the FAQ topics' standard questions (ones the bot answers;
  two misunderstood questions in a row would hand the conversation to a person). One
  conversation is taken to message 195 and five others to message 9; then messages 196–200 of
  the long one alternate with message 10 of the short ones, so load from elsewhere on the
  machine hits both alike. The figures are the medians of the five.
- **CPU ms/msg** is the CPU time (user + system, from /proc) every process spent during a level,
  divided by its messages: the load generator, each server, and PostgreSQL (all its clients).
- **Cold start** runs from starting the processes to the first answer (`你好`) on a fresh
  database; **memory** is VmRSS (and the peak, VmHWM) from /proc after the load, per process
  with its children.
- **Training** runs in a copy of config.yml, domain.yml and data/ (cold Rasa cache for the full
  training, warm for the retraining, as in the project); the project's models/ is untouched.
- **Baseline**: TF-IDF character 1–3-grams + logistic regression (`bot/quality/baseline.py`), trained
  in the same run on the same data/nlu and scored by the same code (`bot/quality/evaluation.py`);
  it answers its top label, or falls back when that label's probability is below 0.2 (fixed,
  not tuned on the held-out set). The same classifier is one member of the bot's NLU ensemble
  (below), so the comparison shows what DIET and the dialogue rules add to it.
"""

DESIGN = """\
- **Several stateless Rasa processes behind HAProxy** (`bot/scale.py`, `deploy/haproxy.cfg.in`):
  `RASA_WORKERS=N` starts N Rasa servers on private ports and HAProxy on `RASA_PORT`, round robin
  with health checks; any worker serves any turn because a conversation's lock is taken atomically
  in Redis (`bot/rasa_ext/lock_store.py`) and its state is in PostgreSQL. socket.io sessions stay on
  the worker that opened them. Each worker gets `TF_INTRA_OP_PARALLELISM_THREADS = cores / N`, one
  inter-op thread, and a small SQL pool.
- **Less work per turn** (`bot/rasa_ext/speedups.py`, same behaviour): Rasa validated every
  action-server reply with `jsonschema.validate`, which re-checks the schema itself each time
  (~20 ms per custom action), walked every Event subclass for every event it deserialised,
  opened a new TCP connection for every action-server call, scheduled its NLU and policy graphs
  through dask twice per turn, and sent DIET's inputs through `tf.function`'s per-call checks;
  masking skips ASCII text without a digit (and ids without a run of 9 digits), a turn's events
  are written in one INSERT, the n-gram ensemble keeps its weights column-major (scipy copied
  7 MB per parse), actions are called without the 48 KB domain, and a pooled PostgreSQL
  connection is checked by polling its socket instead of a `SELECT 1` per checkout (profile and
  figures in docs/benchmarks.md).
- **Bounded history** (`bot/rasa_ext/bounded_history.py`): a turn reads a checkpoint of the
  dialogue state plus the last 6–12 user turns instead of the whole session, so the 200th
  message costs what the 10th does; checkpoints are shared by every worker in the tracker
  database (`shared_checkpoints.py`). `TRACKER_MAX_TURNS=0` switches it off.
- **No ResponseSelector** (`bot/nlu/ngram_ensemble.py`): DIET's intents are averaged with a
  TF-IDF char-n-gram logistic regression, which also ranks the FAQ topics. The ResponseSelector
  embedded every answer text and took about 70% of the training time; without it training is
  several times faster, and the held-out accuracy rose. A topic is answered at probability 0.2
  or more (the baseline's own rule) with a lead of 0.15 over the runner-up (unchanged), so a
  question about two topics gets both as buttons.
- **Fine-tuning after a phrasing change** (`bot/train.py`): when only example phrasings changed,
  the last model is fine-tuned (`rasa train --finetune`, 20% of the epochs) instead of trained
  from scratch; after five fine-tunings in a row the next training starts from scratch.
- **SQLite tracker store** with a connection pool, WAL and `synchronous=NORMAL` instead of a new
  connection and a full fsync per read and write on the event loop.
"""


STOCK_INTRO = """\
Stock Rasa 3.6 served in the same run on the same machine under the same load: it runs beside
each profile, and each FAQ load level and the long conversation is measured on stock Rasa right
after the same measurement of ours, so a neighbour's load on a shared machine hits both alike.
It is `rasa init`'s pipeline for Chinese with DIET and the ResponseSelector
(`bot/quality/stock_config.yml`) and Rasa's default policies (Memoization, Rule, UnexpecTED, TED),
trained on a copy of this project's NLU data, with the `faq` retrieval intent answered by
`utter_faq` and one rule per intent (`bench/stock_bot.py`, written to `var/stock/bot/`). It runs
as `python -m rasa run --enable-api` in that folder with Rasa's REST channel and SQL tracker store
on an SQLite file, no PYTHONPATH and none of this project's code: the server's `-X importtime`
list holds no module of `bot`, `actions` or `bench`. Model `{model}`, {trained} (cached in
`var/stock/bot/models/` by a fingerprint of its files: it trains again only when they change).
"""

STOCK_NOTES = """\
- The status-lookup scenario is this project's only: stock Rasa has no custom actions, so it
  cannot look an application up or check a credit code.
- Training from scratch: ours {source}; stock's when its model was trained (cached across runs,
  so the machine may have been busier or quieter then).
- Answer quality: the same held-out set scored by the same code (`bot/quality/evaluation.py`);
  stock Rasa acts as `bot/quality/stock.py` says (`nlu_fallback` falls back, `faq` answers the
  ResponseSelector's top response); `make evaluate` shows the same comparison per held-out set.
- Skip stock Rasa with `python -m bench --skip-stock` (or `BENCH_SKIP_STOCK=1 make bench`).
"""


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _quality(quality: dict[str, Any]) -> list[str]:
    rasa, baseline, ratio = quality["rasa"], quality["baseline"], quality["ratio"]
    lines = [
        f"Held-out set: {rasa['examples']} questions ({rasa['faq_examples']} FAQ). Ratio: Rasa ÷ baseline.",
        "",
        "| figure | Rasa model | baseline | ratio |",
        "|---|---:|---:|---:|",
    ]
    for key, title, kind in QUALITY_ROWS:
        show = _percent if kind == "percent" else (lambda value: f"{value:.3f}")
        shown_ratio = "—" if ratio.get(key) is None else f"{ratio[key]:.2f}"
        lines.append(f"| {title} | {show(rasa[key])} | {show(baseline[key])} | {shown_ratio} |")
    return lines


def cpu_ceiling(cpu: dict[str, float], cores: int) -> float:
    """Messages per second the CPU allows: all cores busy, or the busiest single process saturated.

    Each process does its Python work on one core at a time, so a process that needs x ms of CPU
    per message caps the rate at 1000/x however many cores are idle. PostgreSQL (many processes)
    and the total are not single processes.
    """
    single = [value for name, value in cpu.items() if name not in ("total", "postgresql") and value > 0]
    limits = [cores * 1000 / cpu["total"]] + [1000 / value for value in single]
    return min(limits)


def _ceiling(cpu: dict[str, float], cores: int) -> str:
    if not cores:
        return ""
    return f"; the CPU allows at most about {cpu_ceiling(cpu, cores):.0f} msg/s on {cores} idle cores"


def _load(profile: dict[str, Any], cores: int) -> list[str]:
    lines = [
        (
            "| scenario | applicants | messages | msg/s | p50 ms | p95 ms | p99 ms | errors | empty | unexpected "
            "| CPU ms/msg |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in profile.get("load", []):
        cells = [SCENARIO_TITLES.get(level["scenario"], level["scenario"])]
        cells += [level[key] for key in LOAD_COLUMNS]
        cells.append(level.get("cpu_ms_per_message", {}).get("total", "—"))
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    top = max((level["concurrency"] for level in profile.get("load", [])), default=0)
    for busiest in [level for level in profile.get("load", []) if level["concurrency"] == top]:
        cpu = busiest.get("cpu_ms_per_message") or {}
        if cpu.get("total"):
            parts = ", ".join(f"{name} {value}" for name, value in cpu.items() if name != "total")
            where = f"{busiest['scenario']} at {busiest['concurrency']} applicants"
            total = f"total {cpu['total']}{_ceiling(cpu, cores)}"
            lines += ["", f"CPU per message, {where} (ms): {parts}; {total}."]
    samples = [sample for level in profile.get("load", []) for sample in level.get("error_samples", [])]
    if samples:
        lines += ["", "First failures: " + "; ".join(f"`{sample}`" for sample in samples[:3])]
    return lines


def _costs(figures: dict[str, Any]) -> list[str]:
    lines = ["| cost | figure |", "|---|---:|"]
    costs = figures.get("costs")
    if costs:
        lines += [
            f"| full training (temp copy, cold cache) | {costs['full_training_s']:.0f} s |",
            f"| retraining after an answer-only change | {costs['answer_change_retrain_s']} s ("
            + ("retrained" if costs["answer_change_retrained"] else "no training: fingerprint unchanged")
            + ") |",
            f"| retraining after a one-phrasing change | {costs['phrasing_change_retrain_s']:.0f} s |",
            f"| model size | {costs['model_size_mib']} MiB |",
        ]
    for name, profile in figures.get("profiles", {}).items():
        if "cold_start_s" in profile:
            lines.append(f"| cold start to first answer, {name} | {profile['cold_start_s']} s |")
        for process, memory in profile.get("memory_mib", {}).items():
            lines.append(
                f"| resident memory, {name}, {process} | {memory['rss_mib']:.0f} MiB "
                f"(peak {memory['peak_rss_mib']:.0f}) |"
            )
    return lines


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:g}×"


def stock_section(figures: dict[str, Any]) -> list[str]:
    """ "Side by side with stock Rasa 3.6": one row per figure, stock's and ours, and their ratio."""
    stock, compared = figures.get("stock") or {}, figures.get("side_by_side") or {}
    if not stock or not compared:
        return []
    names = list(compared.get("profiles", {}))
    served = {name: {row["figure"]: row for row in rows} for name, rows in compared["profiles"].items()}
    trained = "(training time not recorded)"
    if stock.get("train_seconds") is not None:
        when = "in this run" if stock.get("trained_in_this_run") else f"on {stock.get('trained_at') or '?'}"
        trained = f"trained in {stock['train_seconds']:.0f} s {when}"
    lines = [
        "## Side by side with stock Rasa 3.6",
        "",
        STOCK_INTRO.format(model=stock.get("model"), trained=trained).rstrip(),
        "",
        (
            "Ratios are taken so that **above 1 means this project does better**; the second column says "
            "which way (stock ÷ ours for latency, memory and time; ours ÷ stock for throughput)."
        ),
        "",
        "| figure | ratio is | " + " | ".join(f"stock, beside {n} | ours, {n} | ratio" for n in names) + " |",
        "|---|---|" + "---:|---:|---:|" * len(names),
    ]
    first = compared["profiles"][names[0]] if names else []
    for row in first:
        cells = [f"{row['figure']} ({row['unit']})", row["ratio_is"]]
        for name in names:
            theirs = served[name].get(row["figure"], {})
            cells += [_value(theirs.get("stock")), _value(theirs.get("ours")), _ratio(theirs.get("ratio"))]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| figure | ratio is | stock Rasa 3.6 | ours | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    shared = [
        row for row in compared.get("shared", []) if row["stock"] is not None or row["ours"] is not None
    ]
    for row in shared:
        cells = [
            f"{row['figure']} ({row['unit']})",
            row["ratio_is"],
            _value(row["stock"]),
            _value(row["ours"]),
        ]
        lines.append("| " + " | ".join([*cells, _ratio(row["ratio"])]) + " |")
    if len(shared) < len(compared.get("shared", [])):
        lines += ["", "Figures measured for neither (`--skip-quality`, `--skip-training`) are left out."]
    source = compared.get("our_training_source", "not measured")
    lines += ["", STOCK_NOTES.format(source=source).rstrip()]
    cores = (figures.get("machine") or {}).get("cores") or 0
    for name in names:
        beside = stock_beside(stock, name)
        failures = [level for level in beside.get("load", []) if _failed(level)]
        lines += ["", f"Stock Rasa 3.6, each level right after the same level of {name}:", ""]
        lines += _load(beside, cores)
        if failures:
            lines += [
                "",
                "Stock Rasa's failures: " + "; ".join(_describe_failures(level) for level in failures) + ".",
            ]
        long = beside.get("long_conversation")
        if long:
            tenth = f"message 10 {long['message_10_ms']} ms"
            last = f"message {long['messages']} {long['last_message_ms']} ms"
            lines += ["", f"Long conversation: {tenth}, {last} (×{long['ratio']})."]
    return lines


def _failed(level: dict[str, Any]) -> bool:
    return bool(level["errors"] or level["empty_replies"] or level["unexpected_replies"])


def _describe_failures(level: dict[str, Any]) -> str:
    return (
        f"{level['concurrency']} applicants: {level['errors']} errors, {level['empty_replies']} empty, "
        f"{level['unexpected_replies']} unexpected of {level['messages']}"
    )


def render_markdown(figures: dict[str, Any]) -> str:
    """The report as Markdown."""
    machine = figures["machine"]
    targets = figures.get("targets", [])
    met = sum(1 for t in targets if t["met"])
    written = f"Written by `{figures['command']}` (`make bench`) on {figures['generated_at']}."
    lines = ["# Benchmarks", "", written]
    if figures.get("quick"):
        lines += [
            "",
            (
                "> **Smoke run** (`--quick`): few messages per level; the figures show that the "
                "benchmark works, not how fast the bot is."
            ),
        ]
    if figures.get("note"):
        lines += ["", f"> {figures['note']}"]
    lines += [
        "",
        "## Machine",
        "",
        (
            f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB memory, {machine['os']}, "
            f"Python {machine['python']}; load average at start {machine.get('load_average_at_start')}."
        ),
        "",
        "Packages: " + ", ".join(f"{name} {version}" for name, version in machine["packages"].items()),
        "",
        "## Targets",
        "",
        f"{met} of {len(targets)} met.",
        "",
        "| target | where | measured | |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t['target']} | {t['where']} | {t['measured']} | {MET[t['met']]} |" for t in targets]
    if figures.get("quality"):
        lines += ["", "## Answer quality", "", *_quality(figures["quality"])]
    for name, profile in figures.get("profiles", {}).items():
        before, after = profile.get("load_average_before"), profile.get("load_average_after")
        busy = f"Load average before {before}, after {after}."
        lines += [
            "",
            f"## Latency and throughput: {name}",
            "",
            profile["title"] + ". " + busy,
            "",
            *_load(profile, machine.get("cores") or 0),
        ]
        long = profile.get("long_conversation")
        if long:
            tenth = f"message 10 {long['message_10_ms']} ms"
            last = f"message {long['messages']} {long['last_message_ms']} ms"
            lines += ["", f"Long conversation: {tenth}, {last} (×{long['ratio']})."]
    if section := stock_section(figures):
        lines += ["", *section]
    lines += ["", "## Costs", "", *_costs(figures)]
    lines += ["", "## How it was measured", "", METHOD.rstrip()]
    lines += ["", "## What the figures rest on", "", DESIGN.rstrip()]
    lines += ["", "Raw numbers: `docs/benchmarks.json`.", ""]
    return "\n".join(lines)


HAND_WRITTEN = "(written by hand"
"""Sections whose heading holds this are people's notes: a new report keeps them, after its own."""


def hand_written_sections(markdown: str) -> list[str]:
    """The `## ` sections of an earlier report whose heading says they were written by hand."""
    sections, current = [], None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = [line] if HAND_WRITTEN in line else None
            if current is not None:
                sections.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(section).rstrip() for section in sections]


def write_report(figures: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write benchmarks.md (keeping its hand-written sections) and benchmarks.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown, raw = folder / "benchmarks.md", folder / "benchmarks.json"
    kept = hand_written_sections(markdown.read_text(encoding="utf-8")) if markdown.exists() else []
    markdown.write_text("\n\n".join([render_markdown(figures).rstrip(), *kept]) + "\n", encoding="utf-8")
    raw.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return markdown, raw
