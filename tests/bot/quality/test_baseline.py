"""The baseline learns from data/nlu the way Rasa does and is scored with the same code."""

from __future__ import annotations

from pathlib import Path

from bot.quality.baseline import FALLBACK_LABEL, Baseline, evaluate_baseline, training_examples
from bot.quality.evaluation import Example

TOPIC = """\
version: "3.1"
nlu:
  - intent: faq/fees
    metadata:
      question: 要钱吗？
    examples: |
      - 认证要钱吗
      - 认证收费吗
      - 需要交费吗
responses:
  utter_faq/fees:
    - text: 免费。
"""
CHITCHAT = """\
version: "3.1"
nlu:
  - intent: greet
    examples: |
      - 你好
      - 您好啊
  - intent: out_of_scope
    examples: |
      - 今天天气怎么样
      - 推荐一部电影
"""


def test_training_examples_label_faq_topics_and_intents_as_rasa_does(tmp_path: Path) -> None:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "fees.yml").write_text(TOPIC, encoding="utf-8")
    (tmp_path / "chitchat.yml").write_text(CHITCHAT, encoding="utf-8")

    examples = training_examples(tmp_path)

    assert {(e.text, e.expected) for e in examples} >= {("认证要钱吗", "faq/fees"), ("你好", "greet")}
    assert {e.expected for e in examples} == {"faq/fees", "greet", "out_of_scope"}
    assert len(examples) == 7


def test_the_baseline_generalises_on_a_tiny_dataset_and_is_scored_like_the_model() -> None:
    train = [
        Example(text, label)
        for label, texts in {
            "faq/fees": ["认证要钱吗", "认证收费吗", "需要交费吗", "要付多少钱"],
            "faq/materials": ["需要什么材料", "要准备哪些资料", "材料清单有哪些", "上传什么文件"],
            "out_of_scope": ["今天天气怎么样", "推荐一部电影", "讲个笑话", "股票怎么买"],
        }.items()
        for text in texts
    ]
    test = [
        Example("認證收費嗎", "faq/fees"),
        Example("要准备什么材料", "faq/materials"),
        Example("明天天气如何", "out_of_scope"),
    ]

    scores, predictions = evaluate_baseline(train, test)

    # the first is in traditional characters: normalised to simplified as the pipeline does
    assert [p.top1 for p in predictions] == ["faq/fees", "faq/materials", "out_of_scope"]
    assert scores.faq_top1_accuracy == 1.0 and scores.out_of_scope_recall == 1.0 and scores.macro_f1 == 1.0


def test_an_unsure_baseline_falls_back() -> None:
    train = [Example(f"问题{n}", f"faq/topic_{n}") for n in range(12)]
    (prediction,) = Baseline.fit(train).predict([Example("完全无关的句子", "out_of_scope")])

    assert prediction.acted == FALLBACK_LABEL
