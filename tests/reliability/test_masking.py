"""Masking counted: thousands of generated personal numbers in every shape, none escapes; and through the
running bot's REST channel none reaches the tracker or the application database.

The shapes (tests/support/personal_data.py): valid 身份证号, bank cards and mobiles typed glued to text
or to more digits, after +86 / 0086, with separators (mixed or repeated), invisible characters,
combining marks or emoji between the digits, in full-width or other digits, mobiles in Chinese
numerals, and all of these at once; and the exact shapes the attacker of issue 10 found leaking. A
number "escapes" when its digits can still be read in the output once everything but digits is removed.
Through REST, each conversation then asks for a person, so the escalation's transcript is stored too;
the tracker store, every table of the application database and the servers' log lines are read back.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select

from bot.privacy import mask, mask_personal_data
from bot.run import Stack
from tests.reliability.figures import record
from tests.support.personal_data import (
    ATTACKER_RAW,
    ATTACKER_SHAPES,
    FORMS,
    KINDS,
    Shape,
    random_innocent,
    random_shape,
    reads_as_identifier,
    survives,
)
from tests.support.rest import RestClient

SHAPES_PER_KIND_AND_FORM = 300
INNOCENT_TRIES = 3000


def _shapes(rng: random.Random, per_cell: int) -> Iterator[Shape]:
    for kind in KINDS:
        for form in FORMS:
            if form in ("country_code", "chinese_numerals") and kind != "mobile":
                continue
            for _ in range(per_cell):
                yield random_shape(rng, kind, form)


def test_generated_shapes_are_counted_and_none_escapes() -> None:
    seed = random.randrange(10**9)
    rng = random.Random(seed)
    tried: Counter[tuple[str, str]] = Counter()
    escaped: list[Shape] = []
    identifiers = 0
    started = time.perf_counter()
    for shape in _shapes(rng, SHAPES_PER_KIND_AND_FORM):
        if reads_as_identifier(shape.text):  # glued to letters that make a credit code: visible by design
            identifiers += 1
            continue
        tried[shape.kind, shape.form] += 1
        masked = mask_personal_data(shape.text)
        if survives(shape.raw, masked.text) or mask(masked.text) != masked.text:
            escaped.append(shape)
    seconds = time.perf_counter() - started
    innocent_changed = [
        text
        for text in (random_innocent(rng) for _ in range(INNOCENT_TRIES))
        if mask(f"请问{text}，谢谢") != f"请问{text}，谢谢"
    ]

    print(f"\n[masking] seed {seed}: {sum(tried.values())} shapes in {seconds:.2f} s")
    for kind in KINDS:
        cells = ", ".join(f"{form} {tried[kind, form]}" for form in FORMS if tried[kind, form])
        print(f"[masking]   {kind:<12} {cells}; escaped {sum(shape.kind == kind for shape in escaped)}")
    record(
        "masking",
        shapes=sum(tried.values()),
        escaped=len(escaped),
        read_as_credit_code=identifiers,
        innocent=INNOCENT_TRIES,
        innocent_changed=len(innocent_changed),
        seed=seed,
    )
    assert escaped == [], escaped[:5]
    assert innocent_changed == [], innocent_changed[:5]
    assert identifiers < sum(tried.values()) / 100


@pytest.mark.servers
def test_rest_messages_leave_no_raw_value_in_storage_or_logs(stack: Stack, rest: RestClient) -> None:
    rng = random.Random()
    shapes = list(_shapes(rng, 1))
    shapes = [shape for shape in shapes if not reads_as_identifier(shape.text)]
    shapes += [
        Shape("attacker", "explicit", raw, typed) for typed, _ in ATTACKER_SHAPES for raw in ATTACKER_RAW
    ]
    senders = [f"masking-{rng.randrange(10**9)}" for _ in range(2)]
    innocent = "申请编号 RZ202611200001，统一社会信用代码 91110108MA01B2C344，打款 0.01 元，3-5个工作日"
    typed = list(dict.fromkeys(shape.text for shape in shapes))
    messages = [text + " 认证需要多久？" for text in typed] + [innocent]
    for index, message in enumerate(messages):
        assert rest.send(senders[index % 2], message), message
    for sender in senders:  # an escalation stores a transcript of the conversation
        assert rest.send(sender, "转人工"), sender

    tracker_strings = list(_stored_strings(stack.settings.tracker_store_url, senders))
    user_texts = [text for kind, text in tracker_strings if kind == "user text"]
    app_strings = list(_stored_strings(stack.settings.database_url, None))
    transcripts = [text for where, text in app_strings if where.startswith("escalations.")]
    log_lines = list(_log_lines(stack.settings.var_dir / "logs"))
    stored = tracker_strings + app_strings + log_lines
    leaks = [
        (shape.kind, shape.form, where)
        for shape in shapes
        for where, text in stored
        if survives(shape.raw, text)
    ]
    record(
        "masking_rest",
        messages=len(messages),
        tracker_strings=len(tracker_strings),
        database_strings=len(app_strings),
        log_lines=len(log_lines),
        leaks=len(leaks),
    )
    assert len(user_texts) == len(messages) + len(senders)
    assert sum("*" in text for text in user_texts) == len(typed)  # every shape stored, masked
    assert innocent in user_texts  # application IDs, credit codes and amounts stay as typed
    assert any("*" in text for text in transcripts)  # the escalations quote the masked messages
    assert leaks == [], leaks[:5]


def _log_lines(log_dir: Path) -> Iterator[tuple[str, str]]:
    """(file, line) for every line the servers logged."""
    for path in sorted(log_dir.glob("*.log")):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            yield path.name, line


def _stored_strings(url: str, senders: list[str] | None) -> Iterator[tuple[str, str]]:
    """(where, text) for every stored string: of these senders' tracker events, or of every table."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                query = select(table)
                if senders is not None:
                    if table.name != "events":
                        continue
                    query = query.where(table.c.sender_id.in_([f"rest:{sender}" for sender in senders]))
                for row in connection.execute(query):
                    for column, value in row._mapping.items():
                        yield from _strings_in(f"{table.name}.{column}", value)
    finally:
        engine.dispose()


def _strings_in(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, dict):
        if value.get("event") == "user" and isinstance(value.get("text"), str):
            yield "user text", value["text"]
        for key, item in value.items():
            yield where, str(key)
            yield from _strings_in(where, item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(where, item)
    elif value is not None:
        yield where, str(value)
