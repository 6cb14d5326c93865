"""Rasa component: spaCy (blank "zh", jieba segmenter) with rule patterns that find application IDs."""

from __future__ import annotations

from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

APPLICATION_ID_ENTITY = "application_id"
PATTERNS = [
    {"label": APPLICATION_ID_ENTITY, "pattern": [{"TEXT": {"REGEX": r"^RZ\d{12}$"}}]},
]


def build_pipeline() -> Language:
    """A blank Chinese spaCy pipeline segmenting with jieba, plus an entity ruler (no downloads)."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SpacyRuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds an `application_id` entity for every well-formed application ID in the message."""

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyRuleEntityExtractor:
        return cls(build_pipeline())

    def process(self, messages: list[Message]) -> list[Message]:
        """Append the entities spaCy's rules find to each message."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = [
                {"entity": span.label_, "value": span.text, "start": span.start_char, "end": span.end_char}
                for span in self._nlp(text).ents
            ]
            if found:
                message.set(
                    ENTITIES,
                    message.get(ENTITIES, []) + self.add_extractor_name(found),
                    add_to_output=True,
                )
        return messages
