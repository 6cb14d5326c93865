"""Kept only so NLU models trained before this module was split still load: do not import it.

A trained model's char n-gram classifier (bot/nlu/char_ngrams.py) is pickled with its text
preprocessor, which pickle records by name; models trained before the split name
`bot.text.normalize`. Models are retrained only when config.yml, domain.yml or data/ change, so
such a model can stay in use for a long time. New code imports `bot.normalization` (and
`bot.application_ids`); this module can go once no model trained before 2026-11-29 is in use.
"""

from __future__ import annotations

from bot.normalization import normalize

__all__ = ["normalize"]
