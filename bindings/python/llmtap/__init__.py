"""llmtap: measure the quality of LLM calls.

Record each call to the collector (``llmtapd``) and read back what it stored::

    import llmtap

    with llmtap.Client(app="support-bot") as client:
        with client.trace(model="gpt-4o-mini", prompt=question) as t:
            t.response = call_the_model(question)
            t.input_tokens, t.output_tokens = 12, 40

    samples = llmtap.QueryClient().list_samples(app="support-bot")["samples"]

Recording never blocks on the network and never raises because the collector is slow or down:
samples wait in a bounded buffer and ``Client.stats()`` counts what happened to each.

Errors: every failure raises a subclass of :class:`Error`, whose ``.code`` names the status
code (``"INVALID_ARGUMENT"``, ``"NOT_FOUND"``, ...) and ``.message`` holds the text.

* :class:`InvalidArgumentError` (also a ``ValueError``): bad client options or arguments.
* :class:`DeadlineExceededError` (also a ``TimeoutError``): ``flush``/``shutdown`` ran out of
  time with samples still pending.
* :class:`QueryError`: a query RPC failed; ``.code`` is the gRPC status code name.

Query results are plain dicts shaped like the messages of ``proto/llmtap/v1/query.proto``:
proto field names, every field present, 64-bit integers as ``int``, enums as their names
(``"CALL_STATUS_ERROR"``), unset messages as ``None``.

The C++ core (``llmtap._core``) does the work and releases the GIL while it waits; no Python
code ever runs on its background threads.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import json
import os
import time
from types import TracebackType
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Type, TypeVar, Union

from . import _core
from ._core import (
    DeadlineExceededError,
    Error,
    InvalidArgumentError,
    QueryError,
    Redaction,
    new_sample_id,
)

__all__ = [
    "Client",
    "DeadlineExceededError",
    "Error",
    "InvalidArgumentError",
    "QueryClient",
    "QueryError",
    "Redaction",
    "Trace",
    "new_sample_id",
]

__version__ = "0.1.0"

DEFAULT_COLLECTOR = "127.0.0.1:7317"

Seconds = Union[float, _dt.timedelta]
Time = Union[float, _dt.datetime]
F = TypeVar("F", bound=Callable[..., Any])


# Sample fields a trace passes through unchanged (the others it owns or measures).
_TRACE_FIELDS = {"app", "session_id", "prompt_version", "variant", "pair_id", "reference"}


class Trace:
    """One LLM call being measured, made by :meth:`Client.trace`.

    Set what you learn during the call (``response``, ``input_tokens``, ``metadata[...]``,
    ...); the trace measures ``latency_ms`` itself and records the sample when the ``with``
    block ends. If the block raises, the sample is recorded with ``ok=False`` and the error
    text, and the exception propagates. ``id`` is known from the start, so the sample can be
    looked up later with :meth:`QueryClient.get_sample`.
    """

    def __init__(self, client: "Client", fields: Dict[str, Any]) -> None:
        self._client = client
        self.id: str = fields.pop("id", "") or new_sample_id()
        self.model: str = fields.pop("model", "")
        self.prompt: str = fields.pop("prompt", "")
        self.response: str = fields.pop("response", "")
        self.contexts: List[str] = list(fields.pop("contexts", ()))
        self.metadata: Dict[str, str] = dict(fields.pop("metadata", {}))
        self.input_tokens: int = fields.pop("input_tokens", 0)
        self.output_tokens: int = fields.pop("output_tokens", 0)
        self.time_to_first_token_ms: float = fields.pop("time_to_first_token_ms", 0.0)
        self.cost_usd: float = fields.pop("cost_usd", 0.0)
        self.ok: bool = True
        self.error: str = ""
        self.latency_ms: float = 0.0
        unknown = set(fields) - _TRACE_FIELDS
        if unknown:
            raise TypeError(f"trace() got unexpected fields: {', '.join(sorted(unknown))}")
        # The rest: app, session_id, prompt_version, variant, pair_id, reference.
        self.fields: Dict[str, Any] = fields
        self._start_time = 0.0
        self._t0 = 0.0

    def first_token(self) -> None:
        """Marks now as the arrival of the first streamed token (sets time_to_first_token_ms)."""
        self.time_to_first_token_ms = (time.perf_counter() - self._t0) * 1000.0

    def fail(self, error: str) -> None:
        """Records the call as failed with `error`, without raising."""
        self.ok = False
        self.error = error

    def __enter__(self) -> "Trace":
        self._start_time = time.time()
        self._t0 = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.latency_ms = (time.perf_counter() - self._t0) * 1000.0
        if exc is not None:
            self.fail(f"{exc_type.__name__}: {exc}" if exc_type else str(exc))
        self._client.record(
            id=self.id,
            model=self.model,
            prompt=self.prompt,
            response=self.response,
            contexts=self.contexts,
            metadata={str(k): str(v) for k, v in self.metadata.items()},
            input_tokens=int(self.input_tokens),
            output_tokens=int(self.output_tokens),
            time_to_first_token_ms=float(self.time_to_first_token_ms),
            cost_usd=float(self.cost_usd),
            start_time=self._start_time,
            latency_ms=self.latency_ms,
            ok=self.ok,
            error=self.error,
            **self.fields,
        )


class Client:
    """Records LLM calls and delivers them to llmtapd in the background.

    Keyword options mirror ``llmtap::ClientOptions``; an option left as None keeps its default,
    or, with ``from_env=True``, the value of its ``LLMTAP_*`` environment variable (explicit
    arguments win over the environment). Durations are seconds or ``timedelta``.
    Raises :class:`InvalidArgumentError` for invalid options. Use as a context manager to shut
    down (delivering what it can within ``shutdown_timeout_s``) on exit.
    """

    def __init__(
        self,
        collector_address: Optional[str] = None,
        *,
        app: Optional[str] = None,
        from_env: bool = False,
        max_buffer_bytes: Optional[int] = None,
        max_batch_samples: Optional[int] = None,
        max_batch_bytes: Optional[int] = None,
        linger: Optional[Seconds] = None,
        max_inflight_batches: Optional[int] = None,
        sample_rate: Optional[float] = None,
        redaction: Optional[Redaction] = None,
        initial_backoff: Optional[Seconds] = None,
        max_backoff: Optional[Seconds] = None,
        stats_interval: Optional[Seconds] = None,
        shutdown_timeout_s: float = 5.0,
    ) -> None:
        self._core = _core.Client(
            from_env=from_env,
            collector_address=collector_address,
            app=app,
            max_buffer_bytes=max_buffer_bytes,
            max_batch_samples=max_batch_samples,
            max_batch_bytes=max_batch_bytes,
            linger=linger,
            max_inflight_batches=max_inflight_batches,
            sample_rate=sample_rate,
            redaction=redaction,
            initial_backoff=initial_backoff,
            max_backoff=max_backoff,
            stats_interval=stats_interval,
        )
        self.shutdown_timeout_s = shutdown_timeout_s

    def record(
        self,
        *,
        id: str = "",
        app: str = "",
        session_id: str = "",
        model: str = "",
        prompt_version: str = "",
        variant: str = "",
        pair_id: str = "",
        prompt: str = "",
        response: str = "",
        contexts: Optional[List[str]] = None,
        reference: str = "",
        start_time: Optional[Time] = None,
        latency_ms: float = 0.0,
        time_to_first_token_ms: float = 0.0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        ok: Optional[bool] = None,
        error: str = "",
        metadata: Optional[Mapping[str, str]] = None,
        cost_usd: float = 0.0,
    ) -> None:
        """Hands one sample to the background sender and returns at once.

        Empty ``id``/``app``/``start_time`` are filled in (``start_time``: Unix seconds or a
        datetime; now when None). ``ok`` defaults to ``not error``.
        """
        self._core.record(
            id=id,
            app=app,
            session_id=session_id,
            model=model,
            prompt_version=prompt_version,
            variant=variant,
            pair_id=pair_id,
            prompt=prompt,
            response=response,
            contexts=list(contexts or ()),
            reference=reference,
            start_time=start_time,
            latency_ms=latency_ms,
            time_to_first_token_ms=time_to_first_token_ms,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            ok=ok,
            error=error,
            metadata=dict(metadata or {}),
            cost_usd=cost_usd,
        )

    def trace(self, *, model: str = "", prompt: str = "", **fields: Any) -> Trace:
        """A context manager that measures one call and records it on exit (see Trace).

        ``fields`` are further Sample fields (``session_id``, ``variant``, ``metadata``, ...).
        """
        return Trace(self, dict(fields, model=model, prompt=prompt))

    def traced(
        self, *, model: str = "", prompt_arg: Union[int, str] = 0, **fields: Any
    ) -> Callable[[F], F]:
        """A decorator for a function that takes the prompt and returns the response text.

        The prompt is the positional argument number ``prompt_arg`` (default the first), or the
        keyword argument of that name. Each call is traced as with :meth:`trace`; async
        functions are supported.
        """

        def prompt_of(fn: Callable[..., Any], args: tuple, kwargs: dict) -> str:
            if isinstance(prompt_arg, int):
                if prompt_arg < len(args):
                    return str(args[prompt_arg])
                name = _param_name(fn, prompt_arg)
                return str(kwargs.get(name, "")) if name else ""
            return str(kwargs.get(prompt_arg, ""))

        def decorate(fn: F) -> F:
            if inspect.iscoroutinefunction(fn):

                @functools.wraps(fn)
                async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                    with self.trace(model=model, prompt=prompt_of(fn, args, kwargs), **fields) as t:
                        result = await fn(*args, **kwargs)
                        t.response = "" if result is None else str(result)
                        return result

                return async_wrapper  # type: ignore[return-value]

            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.trace(model=model, prompt=prompt_of(fn, args, kwargs), **fields) as t:
                    result = fn(*args, **kwargs)
                    t.response = "" if result is None else str(result)
                    return result

            return wrapper  # type: ignore[return-value]

        return decorate

    def flush(self, timeout_s: float = 5.0) -> None:
        """Waits until everything recorded so far is acked by the collector.

        Raises :class:`DeadlineExceededError` if samples are still pending after timeout_s.
        """
        self._core.flush(timeout_s)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Delivers what it can within timeout_s, then stops. Idempotent; later records are
        counted as dropped. Raises :class:`DeadlineExceededError` if samples were left."""
        self._core.shutdown(timeout_s)

    def stats(self) -> Dict[str, int]:
        """Cumulative counters: recorded, sampled_out, dropped, sent, acked, retried, rejected,
        pending, pending_bytes, reconnects."""
        return self._core.stats()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        try:
            self.shutdown(self.shutdown_timeout_s)
        except DeadlineExceededError:
            # What was lost is in stats(); never replace the body's own exception.
            if exc is None:
                raise


class QueryClient:
    """Reads what the collector stored, over its gRPC query API.

    ``address`` defaults to ``$LLMTAP_COLLECTOR`` or 127.0.0.1:7317. Each RPC has a deadline of
    ``timeout_s``. Failures raise :class:`QueryError` with the gRPC code name in ``.code``.
    """

    def __init__(self, address: Optional[str] = None, *, timeout_s: float = 10.0) -> None:
        address = address or os.environ.get("LLMTAP_COLLECTOR") or DEFAULT_COLLECTOR
        self._core = _core.QueryClient(address, timeout_s)

    @property
    def address(self) -> str:
        return self._core.address

    def get_sample(self, id: str) -> Dict[str, Any]:
        """``{"sample": {...}, "scores": [...]}``. NOT_FOUND for an unknown id,
        INVALID_ARGUMENT for a malformed one."""
        return self._core.get_sample(id)

    def list_samples(
        self,
        *,
        app: Optional[str] = None,
        model: Optional[str] = None,
        variant: Optional[str] = None,
        session_id: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        start: Optional[Time] = None,
        end: Optional[Time] = None,
        page_size: int = 50,
        page_token: str = "",
        with_scores: bool = False,
    ) -> Dict[str, Any]:
        """One page, newest first: ``{"samples": [{"sample": ..., "scores": ...}, ...],
        "next_page_token": str}`` ("" on the last page). ``start``/``end`` bound
        start_time as [start, end), in Unix seconds or datetimes."""
        return self._core.list_samples(
            app=app,
            model=model,
            variant=variant,
            session_id=session_id,
            metadata=dict(metadata) if metadata is not None else None,
            start=start,
            end=end,
            page_size=page_size,
            page_token=page_token,
            with_scores=with_scores,
        )

    def iter_samples(self, *, page_size: int = 100, **filters: Any) -> Iterator[Dict[str, Any]]:
        """Every matching sample (``{"sample": ..., "scores": ...}``), fetching page by page."""
        token = ""
        while True:
            page = self.list_samples(page_size=page_size, page_token=token, **filters)
            yield from page["samples"]
            token = page["next_page_token"]
            if not token:
                return

    def call(self, method: str, request: Union[Mapping[str, Any], str, None] = None) -> Dict[str, Any]:
        """Calls any unary QueryService method by name, e.g. ``call("Stats", {"filter": {...}})``.

        The request is a dict (or JSON text) in the proto3 JSON mapping; the answer is a dict as
        described in the module docs. UNIMPLEMENTED for a method the service lacks (or that
        streams) or that the collector does not serve yet.
        """
        return self._core.call_dict(method, _request_json(request))

    def call_json(self, method: str, request: Union[Mapping[str, Any], str, None] = None) -> str:
        """Like :meth:`call`, but answers JSON text (proto field names, every field printed;
        64-bit integers as strings, as the proto3 JSON mapping has them)."""
        return self._core.call(method, _request_json(request))

    def __enter__(self) -> "QueryClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def _request_json(request: Union[Mapping[str, Any], str, None]) -> str:
    if request is None:
        return "{}"
    if isinstance(request, str):
        return request
    return json.dumps(dict(request))


def _param_name(fn: Callable[..., Any], index: int) -> Optional[str]:
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None
    return params[index] if index < len(params) else None
