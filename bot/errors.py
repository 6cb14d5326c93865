"""The project's exception hierarchy; every error maps to the one Chinese reply the user sees.

    BotError                 base class; `response` names the reply in domain.yml
    ├── StorageUnavailable   the database cannot be reached or failed mid-transaction
    └── UpstreamUnavailable  another service of ours (Rasa, the action server) did not answer

Actions let these propagate to `actions.safe_action.SafeAction`, which turns them (and any
unexpected exception) into a reply; command-line tools turn them into a message and exit code.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class; `response` is the domain response sent to the user."""

    response = "utter_action_failed"


class StorageUnavailable(BotError):
    """The database cannot be reached or a transaction failed."""

    response = "utter_storage_unavailable"


class UpstreamUnavailable(BotError):
    """Another service of ours did not answer in time."""

    response = "utter_action_failed"
