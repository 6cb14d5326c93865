"""Pure-speed replacements inside Rasa 3.6's turn, installed by `bot.rasa_server` before Rasa starts.

Each one keeps Rasa's behaviour exactly and removes work Rasa repeats on every turn:

- `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the schema
  itself against the JSON-Schema meta-schema on every call (about 20 ms per custom action on
  these machines). The replacement builds the validator once. Each event must match exactly one
  of 23 alternatives (`oneOf`), told apart by the constant `event` name each one requires, so
  jsonschema tried all 23 for every event; the replacement checks an event against the one
  alternative its name selects (`event_validators`), which accepts exactly what `oneOf` accepts
  when every alternative names a different constant (checked when the validators are built;
  otherwise, and for anything that fails, the full schema is validated, with its own error).
- `Event.resolve_by_type` walks every subclass of `Event` for every event it deserialises
  (a tracker of n events costs n walks). The replacement remembers the class of each known
  type name; unknown names still go through Rasa's own lookup (and its errors).
- `EndpointConfig.request` opens a new aiohttp session, and so a new TCP connection, for every
  call to the action server (about a tenth of a Rasa worker's CPU per turn, and an accept on the
  action server's side). The replacement keeps one session per endpoint and event loop, with
  the same headers, auth and timeout; idle connections are dropped after
  `KEEPALIVE_S`, before Sanic's own keep-alive timeout (5 s) closes them from the other end.
- `DaskGraphRunner.run` (the NLU pipeline and the policies, twice per turn) prunes the graph
  schema, builds a dask graph and runs dask's scheduler on every call, and formats the whole
  execution context into a debug message that is never logged. The replacement works out the
  order of each set of targets once and calls the same nodes in it with the same inputs, as
  dask's synchronous scheduler does (a need that is neither a node nor an input is passed as
  its name); errors are raised as from `run`.
- `RasaModel._rasa_predict` (DIET) calls its `tf.function`, which checks and casts every input
  against the input signature and looks up the traced graph on every call (about 2 ms of a
  parse). The replacement builds the function the first time as Rasa does, then calls the one
  graph traced for that signature directly (it takes any batch the signature allows).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

KEEPALIVE_S = 2.0
"""Seconds an idle connection to an endpoint stays open (Sanic closes its side after 5)."""

_installed = False


def install() -> None:
    """Replace the two Rasa functions (idempotent)."""
    global _installed
    if _installed:
        return
    _cache_action_result_validator()
    _cache_event_classes()
    _keep_endpoint_sessions()
    _run_graphs_in_order()
    _call_predict_graph_directly()
    _installed = True


def _cache_action_result_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    @functools.lru_cache(maxsize=1)
    def validator() -> Any:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        return cls(schema)

    @functools.lru_cache(maxsize=1)
    def fast() -> tuple[Any, dict[str, Any]] | None:
        return event_validators(RemoteAction.action_response_format_spec())

    def valid_by_event_name(result: Any) -> bool:
        """True when `result` matches the schema, checked event by event (False: ask the full schema)."""
        validators = fast()
        if validators is None:
            return False
        outer, by_name = validators
        if not outer.is_valid(result):
            return False
        for event in result.get("events") or ():  # outer checked it is an array when present
            name = event.get("event") if isinstance(event, dict) else None
            event_validator = by_name.get(name) if isinstance(name, str) else None
            if event_validator is None or not event_validator.is_valid(event):
                return False
        return True

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            if valid_by_event_name(result):
                return True
            error = best_match(validator().iter_errors(result))  # what jsonschema.validate raises
            if error is not None:
                raise error
            return True
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def event_validators(schema: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    """(a validator of `schema` with any events, {event name: validator of one such event}), or None.

    None unless the events' `oneOf` alternatives each require a different constant `event` name
    (an event has one name, so only its own alternative can match and `oneOf` means "it matches").
    """
    from jsonschema.validators import validator_for

    try:
        items = schema["properties"]["events"]["items"]
        alternatives = items["oneOf"]
        names = [alternative["properties"]["event"]["const"] for alternative in alternatives]
    except (KeyError, TypeError):
        return None
    if "event" not in items.get("required", ()) or len(set(names)) != len(names):
        return None
    if not all(isinstance(name, str) for name in names):
        return None
    common = {key: value for key, value in items.items() if key != "oneOf"}
    events = {**schema["properties"]["events"], "items": {}}
    outer_schema = {**schema, "properties": {**schema["properties"], "events": events}}
    cls = validator_for(schema)
    by_name = {
        name: cls({**common, "allOf": [alternative]}) for name, alternative in zip(names, alternatives)
    }
    return cls(outer_schema), by_name


def _cache_event_classes() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default and cls.type_name == type_name:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


class _Borrowed:
    """`async with` on a kept session: yields it and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _keep_endpoint_sessions() -> None:
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        kept_loop, kept = self.__dict__.get("_bot_session", (None, None))
        if kept is None or kept.closed or kept_loop is not loop:
            auth = (  # as Rasa builds it
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth
                else None
            )
            kept = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            self.__dict__["_bot_session"] = (loop, kept)
        return _Borrowed(kept)

    EndpointConfig.session = session  # type: ignore[method-assign]


def graph_order(schema: Any, targets: list[str]) -> list[str]:
    """The nodes `targets` need, each after everything it needs (inputs are not nodes)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in schema.nodes:
            return
        seen.add(name)
        for need in schema.nodes[name].needs.values():
            visit(need)
        order.append(name)

    for target in targets:
        visit(target)
    return order


def _run_graphs_in_order() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(
        self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        orders = self.__dict__.setdefault("_bot_orders", {})
        key = tuple(run_targets)
        order = orders.get(key)
        if order is None:
            order = orders[key] = graph_order(self._graph_schema, list(run_targets))
        values: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in order:  # as `_add_inputs_to_graph` refuses it
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            values[name] = (name, value)
        nodes = self._graph_schema.nodes
        try:
            for name in order:
                if name in values:  # an input named like a node replaces it, as in the dask graph
                    continue
                needs = [values.get(need, need) for need in nodes[name].needs.values()]
                values[name] = self._instantiated_nodes[name](*needs)
            return dict(values[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    DaskGraphRunner.run = run  # type: ignore[method-assign]


def _call_predict_graph_directly() -> None:
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel._rasa_predict

    def rasa_predict(self: RasaModel, batch_in: Any) -> dict[str, Any]:
        function = self._tf_predict_step
        if self._run_eagerly or function is None:
            return original(self, batch_in)  # prepares the model and builds the tf.function
        self._training = False
        kept_function, graph = self.__dict__.get("_bot_predict_graph", (None, None))
        if kept_function is not function:
            graph = function.get_concrete_function()  # the signature's one graph
            self.__dict__["_bot_predict_graph"] = (function, graph)
        outputs = tf_utils.sync_to_numpy_or_python_type(graph(batch_in))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs  # type: ignore[no-any-return]

    RasaModel._rasa_predict = rasa_predict  # type: ignore[method-assign]
