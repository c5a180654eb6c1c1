"""Client (recording) and Trace (one measured call). See the package docs."""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import time
from types import TracebackType
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar, Union

from . import _core
from ._core import DeadlineExceededError, Redaction, new_sample_id

Seconds = Union[float, _dt.timedelta]
Time = Union[float, _dt.datetime]
F = TypeVar("F", bound=Callable[..., Any])

# Sample fields a trace passes through unchanged (the others it owns or measures).
_TRACE_FIELDS = frozenset(
    {"app", "session_id", "prompt_version", "variant", "pair_id", "reference"})

_perf_counter = time.perf_counter
_time = time.time


class Trace:
    """One LLM call being measured, made by :meth:`Client.trace`.

    Set what you learn during the call (``response``, ``input_tokens``, ``metadata[...]``,
    ...); the trace measures ``latency_ms`` itself and records the sample when the ``with``
    block ends. If the block raises, the sample is recorded with ``ok=False`` and the error
    text, and the exception propagates. ``id`` is known from the start, so the sample can be
    looked up later with :meth:`QueryClient.get_sample`.
    """

    __slots__ = ("_client", "id", "model", "prompt", "response", "contexts", "metadata",
                 "input_tokens", "output_tokens", "time_to_first_token_ms", "cost_usd", "ok",
                 "error", "latency_ms", "fields", "_start_time", "_t0")

    def __init__(self, client: "Client", model: str, prompt: str, fields: Dict[str, Any]) -> None:
        self._client = client
        self.model: str = model
        self.prompt: str = prompt
        if fields:
            self.id: str = fields.pop("id", "") or new_sample_id()
            self.response: str = fields.pop("response", "")
            self.contexts: List[str] = list(fields.pop("contexts", ()))
            self.metadata: Dict[str, str] = dict(fields.pop("metadata", {}))
            self.input_tokens: int = fields.pop("input_tokens", 0)
            self.output_tokens: int = fields.pop("output_tokens", 0)
            self.time_to_first_token_ms: float = fields.pop("time_to_first_token_ms", 0.0)
            self.cost_usd: float = fields.pop("cost_usd", 0.0)
            unknown = fields.keys() - _TRACE_FIELDS
            if unknown:
                raise TypeError(f"trace() got unexpected fields: {', '.join(sorted(unknown))}")
        else:
            self.id = new_sample_id()
            self.response = ""
            self.contexts = []
            self.metadata = {}
            self.input_tokens = 0
            self.output_tokens = 0
            self.time_to_first_token_ms = 0.0
            self.cost_usd = 0.0
        self.ok: bool = True
        self.error: str = ""
        self.latency_ms: float = 0.0
        # The rest: app, session_id, prompt_version, variant, pair_id, reference.
        self.fields: Dict[str, Any] = fields
        self._start_time = 0.0
        self._t0 = 0.0

    def first_token(self) -> None:
        """Marks now as the arrival of the first streamed token (sets time_to_first_token_ms)."""
        self.time_to_first_token_ms = (_perf_counter() - self._t0) * 1000.0

    def fail(self, error: str) -> None:
        """Records the call as failed with `error`, without raising."""
        self.ok = False
        self.error = error

    def __enter__(self) -> "Trace":
        self._start_time = _time()
        self._t0 = _perf_counter()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.latency_ms = (_perf_counter() - self._t0) * 1000.0
        if exc is not None:
            self.fail(f"{exc_type.__name__}: {exc}" if exc_type else str(exc))
        try:
            self._client.record(
                id=self.id, model=self.model, prompt=self.prompt, response=self.response,
                contexts=self.contexts, metadata=self.metadata, input_tokens=self.input_tokens,
                output_tokens=self.output_tokens,
                time_to_first_token_ms=self.time_to_first_token_ms, cost_usd=self.cost_usd,
                start_time=self._start_time, latency_ms=self.latency_ms, ok=self.ok,
                error=self.error, **self.fields)
        except TypeError:
            # A field set to a near type (a numpy int, a non-str metadata value): convert it
            # rather than fail the app's call on the way out.
            self._client.record(
                id=str(self.id), model=str(self.model), prompt=str(self.prompt),
                response=str(self.response), contexts=[str(c) for c in self.contexts],
                metadata={str(k): str(v) for k, v in self.metadata.items()},
                input_tokens=int(self.input_tokens), output_tokens=int(self.output_tokens),
                time_to_first_token_ms=float(self.time_to_first_token_ms),
                cost_usd=float(self.cost_usd), start_time=self._start_time,
                latency_ms=self.latency_ms, ok=self.ok, error=str(self.error),
                **{k: str(v) for k, v in self.fields.items()})  # type: ignore[arg-type]


class Client(_core.Client):
    """Records LLM calls and delivers them to llmtapd in the background.

    Keyword options mirror ``llmtap::ClientOptions``; an option left as None keeps its default,
    or, with ``from_env=True``, the value of its ``LLMTAP_*`` environment variable (explicit
    arguments win over the environment). Durations are seconds or ``timedelta``.
    ``api_key`` is sent as ``authorization: Bearer <key>`` (env ``LLMTAP_API_KEY``); TLS is on
    with ``tls=True`` or a ``ca_file`` (PEM of the collector's CA; env ``LLMTAP_CA_FILE``), and
    ``server_name`` is the name the collector's certificate carries if not the address's host.
    Raises :class:`InvalidArgumentError` for invalid options. Use as a context manager to shut
    down (delivering what it can within ``shutdown_timeout_s``) on exit.

    ``record(**fields)`` (inherited from the C++ core, so that it costs well under 2 us) hands
    one sample to the background sender and returns at once: see :meth:`_core.Client.record`.
    """

    def __init__(
        self,
        collector_address: Optional[str] = None,
        *,
        app: Optional[str] = None,
        from_env: bool = False,
        api_key: Optional[str] = None,
        tls: Optional[bool] = None,
        ca_file: Optional[str] = None,
        server_name: Optional[str] = None,
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
        super().__init__(
            from_env=from_env,
            collector_address=collector_address,
            app=app,
            api_key=api_key,
            tls=tls,
            ca_file=ca_file,
            server_name=server_name,
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

    def trace(self, *, model: str = "", prompt: str = "", **fields: Any) -> Trace:
        """A context manager that measures one call and records it on exit (see Trace).

        ``fields`` are further Sample fields (``session_id``, ``variant``, ``metadata``, ...).
        """
        return Trace(self, model, prompt, fields)

    def traced(
        self, *, model: str = "", prompt_arg: Union[int, str] = 0, **fields: Any
    ) -> Callable[[F], F]:
        """A decorator for a function that takes the prompt and returns the response text.

        The prompt is the positional argument number ``prompt_arg`` (default the first), or the
        keyword argument of that name. Each call is traced as with :meth:`trace`; async
        functions are supported.
        """

        def prompt_of(fn: Callable[..., Any], args: Tuple[Any, ...],
                      kwargs: Dict[str, Any]) -> str:
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
                    with self.trace(model=model, prompt=prompt_of(fn, args, kwargs),
                                    **dict(fields)) as t:
                        result = await fn(*args, **kwargs)
                        t.response = "" if result is None else str(result)
                        return result

                return async_wrapper  # type: ignore[return-value]

            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.trace(model=model, prompt=prompt_of(fn, args, kwargs),
                                **dict(fields)) as t:
                    result = fn(*args, **kwargs)
                    t.response = "" if result is None else str(result)
                    return result

            return wrapper  # type: ignore[return-value]

        return decorate

    def flush(self, timeout_s: float = 5.0) -> None:
        """Waits until everything recorded so far is acked by the collector.

        Raises :class:`DeadlineExceededError` if samples are still pending after timeout_s.
        """
        super().flush(timeout_s)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Delivers what it can within timeout_s, then stops. Idempotent; later records are
        counted as dropped. Raises :class:`DeadlineExceededError` if samples were left."""
        super().shutdown(timeout_s)

    def stats(self) -> Dict[str, int]:
        """Cumulative counters: recorded, sampled_out, dropped, sent, acked, retried, rejected,
        pending, pending_bytes, reconnects."""
        return super().stats()

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


def _param_name(fn: Callable[..., Any], index: int) -> Optional[str]:
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None
    return params[index] if index < len(params) else None
