"""The FAQ topics the bot answers from, re-read whenever a file in data/nlu/faq/ changes."""

from __future__ import annotations

from pathlib import Path

from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, read_topics, topic_paths


class Catalog:
    """All topics of a folder, re-read when any file in it changes (answers need no retrain)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder or ProjectPaths().faq_dir
        self._signature: tuple[tuple[str, int], ...] = ()
        self._topics: dict[str, Topic] = {}

    def topics(self) -> dict[str, Topic]:
        """Return the topics by key, reloading them if a file was added, removed or changed.

        Raises bot.content.topic_files.TopicFileError when a file cannot be read.
        """
        files = topic_paths(self._folder)
        signature = tuple((path.name, path.stat().st_mtime_ns) for path in files)
        if signature != self._signature:
            self._topics = read_topics(files).all_readable()
            self._signature = signature
        return self._topics

    def get(self, key: str) -> Topic | None:
        """Return the topic for `key`, or None when there is no such topic."""
        return self.topics().get(key)
