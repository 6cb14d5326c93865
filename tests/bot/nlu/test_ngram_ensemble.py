"""The n-gram ensemble: averaging rules, and the component trained, stored and loaded through Rasa's model storage."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.char_ngrams import segmented
from bot.nlu.ngram_ensemble import MODEL_FILE, CharNgramEnsemble, blend_intents, blend_topics

TRAINING = {
    "faq/fees": ["认证要钱吗", "认证收费吗", "中级认证多少钱", "认证费用是多少", "需要交钱吗"],
    "faq/file_rules": ["文件多大", "图片格式有什么要求", "文件大小限制", "能传PDF吗", "照片要多大"],
    "greet": ["你好", "您好", "嗨", "早上好", "哈喽"],
}


def test_faq_probabilities_count_for_the_faq_intent() -> None:
    diet = [{"name": "greet", "confidence": 0.55}, {"name": "faq", "confidence": 0.45}]
    ngram = {"faq/fees": 0.5, "faq/file_rules": 0.3, "greet": 0.2}

    ranking = blend_intents(diet, ngram)

    assert [item["name"] for item in ranking] == ["faq", "greet"]
    assert ranking[0]["confidence"] == pytest.approx(0.3 * 0.45 + 0.7 * 0.8)  # NGRAM_WEIGHT 0.7


def test_topics_are_averaged_with_faq_only_probabilities() -> None:
    selector = [
        {"intent_response_key": "faq/file_rules", "confidence": 0.6},
        {"intent_response_key": "faq/fees", "confidence": 0.4},
    ]
    ngram = {"faq/fees": 0.6, "faq/file_rules": 0.2, "greet": 0.2}  # within faq: fees 0.75, file_rules 0.25

    ranking = blend_topics(selector, ngram, "faq")

    assert ranking[0] == {
        "intent_response_key": "faq/fees",
        "confidence": pytest.approx(0.3 * 0.4 + 0.7 * 0.75),
    }
    assert ranking[1]["intent_response_key"] == "faq/file_rules"


def test_without_a_response_selector_topics_are_ranked_by_the_ngram_classifier_alone() -> None:
    ranking = blend_topics([], {"faq/fees": 0.3, "faq/file_rules": 0.1, "greet": 0.6}, "faq")

    assert ranking == [
        {"intent_response_key": "faq/fees", "confidence": pytest.approx(0.75)},
        {"intent_response_key": "faq/file_rules", "confidence": pytest.approx(0.25)},
    ]


@pytest.fixture
def trained(tmp_path: Path) -> CharNgramEnsemble:
    """The component trained on TRAINING, persisted, and loaded back as the Rasa server would."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("char_ngram_ensemble")
    context = ExecutionContext(GraphSchema({}), "test")
    examples = [
        Message.build(
            text=text, intent=label.split("/")[0], intent_response_key=label if "/" in label else None
        )
        for label, texts in TRAINING.items()
        for text in texts
    ]
    CharNgramEnsemble.create({}, storage, resource, context).train(TrainingData(examples))
    return CharNgramEnsemble.load({}, storage, resource, context)


def test_a_parsed_message_gets_its_faq_topic_where_rasa_expects_it(trained: CharNgramEnsemble) -> None:
    message = Message.build(text="认证收费吗？")
    message.set("intent_ranking", [{"name": "faq", "confidence": 0.7}, {"name": "greet", "confidence": 0.3}])
    trained.process([message])

    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    assert selector["faq"]["response"]["intent_response_key"] == "faq/fees"
    assert [item["intent_response_key"] for item in selector["faq"]["ranking"]] == [
        "faq/fees",
        "faq/file_rules",
    ]


def test_the_ngram_classifier_overrules_an_unsure_neural_ranking(trained: CharNgramEnsemble) -> None:
    loaded = trained
    message = Message.build(text="中级认证收费多少钱")
    message.set("intent", {"name": "greet", "confidence": 0.5})
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.5}, {"name": "faq", "confidence": 0.5}])
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {
                    "intent_response_key": "faq/file_rules",
                    "confidence": 0.5,
                    "responses": [{"text": "…"}],
                },
                "ranking": [
                    {"intent_response_key": "faq/file_rules", "confidence": 0.5},
                    {"intent_response_key": "faq/fees", "confidence": 0.5},
                ],
            }
        },
    )
    loaded.process([message])

    assert message.get("intent")["name"] == "faq"
    best = message.get("response_selector")["faq"]["ranking"][0]
    assert best["intent_response_key"] == "faq/fees" and best["confidence"] > 0.5
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/fees"


def _trained_with_word_ngrams(
    tmp_path: Path, name: str
) -> tuple[LocalModelStorage, Resource, CharNgramEnsemble]:
    """An ensemble with word n-grams trained on TRAINING, stored, and loaded again."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource(name)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {"word_ngrams": True}
    examples = [
        Message.build(
            text=text, intent=label.split("/")[0], intent_response_key=label if "/" in label else None
        )
        for label, texts in TRAINING.items()
        for text in texts
    ]
    CharNgramEnsemble.create(config, storage, resource, context).train(TrainingData(examples))
    return storage, resource, CharNgramEnsemble.load(config, storage, resource, context)


def test_word_ngrams_are_learnt_kept_and_used_after_loading(tmp_path: Path) -> None:
    loaded = _trained_with_word_ngrams(tmp_path, "char_ngram_ensemble_words")[2]
    message = Message.build(text="请问认证要交多少钱")
    message.set("intent_ranking", [{"name": "faq", "confidence": 0.9}])

    loaded.process([message])

    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/fees"
    features = loaded._classifier.steps[0][1]  # a FeatureUnion: characters, and characters inside words
    assert len(features.transformer_list) == 2


def test_words_are_segmented_with_the_project_dictionary() -> None:
    assert segmented("钉钉管理后台怎么上传營業執照") == "钉钉管理后台 怎么 上传 营业执照"


def test_a_loaded_ensemble_scores_exactly_as_the_stored_classifier(tmp_path: Path) -> None:
    storage, resource, loaded = _trained_with_word_ngrams(tmp_path, "char_ngram_ensemble_layout")
    with storage.read_from(resource) as directory:
        stored = pickle.loads((directory / MODEL_FILE).read_bytes())

    assert loaded._classifier[-1].coef_.flags["F_CONTIGUOUS"]  # no copy of the weights per parse
    for text in ("请问认证要交多少钱", "图片有大小限制吗", "你好呀", "RZ202607190042 到哪了"):
        assert loaded.probabilities(text) == dict(zip(stored.classes_, stored.predict_proba([text])[0]))
