"""instrument_openai: one line records every chat completion of an official ``openai`` client.

    import openai, llmtap

    recorder = llmtap.Client(app="support-bot")
    client = llmtap.instrument_openai(openai.OpenAI(), recorder=recorder)
    client.chat.completions.create(model="gpt-4o-mini", messages=[...])   # recorded

Each ``client.chat.completions.create`` call, sync or async (``openai.AsyncOpenAI``), streamed
or not, becomes one sample: the model that answered, the messages rendered as the prompt, the
answer, input and output tokens, latency and, for streams, the time to the first chunk. A
call that raises is recorded with ``ok=False`` and the error text (and ``http_status`` in
metadata when there is one).

What the app sees does not change: the same result object, the same exception, and for
``stream=True`` the very ``Stream`` / ``AsyncStream`` object the SDK returned, whose chunks
pass through untouched (the sample is recorded when the stream ends, fails, or is dropped).
Token counts of a stream come from its usage chunk, so they are 0 unless the app asked for
``stream_options={"include_usage": True}``. Recording never raises into the app and never
waits on the network (see :class:`llmtap.Client`).

Other entry points (``with_raw_response``, the Responses API, ``beta.chat.completions.parse``)
are not instrumented.
"""

from __future__ import annotations

import atexit
import threading
import time
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Mapping, Optional, TypeVar

from ._client import Client

C = TypeVar("C")

_default_lock = threading.Lock()
_default_recorder: Optional[Client] = None


def _default() -> Client:
    global _default_recorder
    with _default_lock:
        if _default_recorder is None:
            _default_recorder = Client(from_env=True)
            atexit.register(_default_recorder.shutdown, 2.0)
        return _default_recorder


def instrument_openai(
    client: C,
    recorder: Optional[Client] = None,
    *,
    app: str = "",
    variant: str = "",
    metadata: Optional[Mapping[str, str]] = None,
) -> C:
    """Instruments ``client`` (an ``openai.OpenAI`` or ``openai.AsyncOpenAI``) in place and
    returns it. Samples go to ``recorder``, or to a process-wide ``llmtap.Client(from_env=True)``
    (configured by the ``LLMTAP_*`` variables) made on first use. ``app``, ``variant`` and
    ``metadata`` are set on every sample. Instrumenting twice changes nothing."""
    completions = client.chat.completions  # type: ignore[attr-defined]
    if getattr(completions, "_llmtap_instrumented", False):
        return client
    original: Callable[..., Any] = completions.create
    fields: Dict[str, Any] = {}
    if app:
        fields["app"] = app
    if variant:
        fields["variant"] = variant
    labels = dict(metadata or {})

    def record(**sample: Any) -> None:
        try:
            target = recorder if recorder is not None else _default()
            if labels:
                sample["metadata"] = {**labels, **sample.get("metadata", {})}
            target.record(**fields, **sample)
        except Exception:  # Recording never breaks the app's call.
            pass

    def create(*args: Any, **kwargs: Any) -> Any:
        start = time.time()
        t0 = time.perf_counter()
        call = _Call(record, kwargs, start, t0)
        try:
            result = original(*args, **kwargs)
        except BaseException as e:
            call.failed(e)
            raise
        if hasattr(result, "__await__"):
            return _finish_async(result, call)
        return call.finish(result)

    completions.create = create
    completions._llmtap_instrumented = True
    return client


async def _finish_async(pending: Any, call: "_Call") -> Any:
    try:
        result = await pending
    except BaseException as e:
        call.failed(e)
        raise
    return call.finish(result)


class _Call:
    """One create() call on its way to becoming a sample."""

    def __init__(self, record: Callable[..., None], kwargs: Mapping[str, Any], start: float,
                 t0: float) -> None:
        self.record = record
        self.kwargs = kwargs
        self.start = start
        self.t0 = t0
        self.stream = bool(kwargs.get("stream"))

    def base(self) -> Dict[str, Any]:
        return {"model": str(self.kwargs.get("model") or ""),
                "prompt": _render_messages(self.kwargs.get("messages")),
                "start_time": self.start}

    def latency_ms(self) -> float:
        return (time.perf_counter() - self.t0) * 1000.0

    def failed(self, error: BaseException, ttft_ms: float = 0.0, text: str = "") -> None:
        sample = self.base()
        status = getattr(error, "status_code", None)
        if status is not None:
            sample["metadata"] = {"http_status": str(status)}
        self.record(**sample, response=text, latency_ms=self.latency_ms(),
                    time_to_first_token_ms=ttft_ms, ok=False,
                    error=f"{type(error).__name__}: {error}"[:4096])

    def finish(self, result: Any) -> Any:
        if self.stream and hasattr(result, "_iterator"):
            if hasattr(result, "__anext__") or hasattr(result._iterator, "__anext__"):
                result._iterator = self._watch_async(result._iterator)
            else:
                result._iterator = self._watch(result._iterator)
            return result
        try:
            sample = self.base()
            sample["model"] = str(getattr(result, "model", "") or sample["model"])
            choices = getattr(result, "choices", None) or []
            if choices:
                sample["response"] = _message_text(getattr(choices[0], "message", None))
            usage = getattr(result, "usage", None)
            if usage is not None:
                sample["input_tokens"] = int(getattr(usage, "prompt_tokens", 0) or 0)
                sample["output_tokens"] = int(getattr(usage, "completion_tokens", 0) or 0)
            self.record(**sample, latency_ms=self.latency_ms())
        except Exception:
            pass
        return result

    # A stream's chunks pass through unchanged; what they say is gathered on the side.
    def _watch(self, chunks: Iterator[Any]) -> Iterator[Any]:
        acc = _StreamAccumulator(self)
        try:
            for chunk in chunks:
                acc.add(chunk)
                yield chunk
        except BaseException as e:
            acc.fail(e)
            raise
        finally:
            acc.done()

    async def _watch_async(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        acc = _StreamAccumulator(self)
        try:
            async for chunk in chunks:
                acc.add(chunk)
                yield chunk
        except BaseException as e:
            acc.fail(e)
            raise
        finally:
            acc.done()


class _StreamAccumulator:
    def __init__(self, call: _Call) -> None:
        self.call = call
        self.ttft_ms = 0.0
        self.parts: List[str] = []
        self.model = ""
        self.input_tokens = 0
        self.output_tokens = 0
        self.recorded = False

    def add(self, chunk: Any) -> None:
        try:
            if not self.ttft_ms:
                self.ttft_ms = self.call.latency_ms()
            self.model = str(getattr(chunk, "model", "") or self.model)
            for choice in getattr(chunk, "choices", None) or []:
                if getattr(choice, "index", 0) == 0:
                    content = getattr(getattr(choice, "delta", None), "content", None)
                    if content:
                        self.parts.append(content)
            usage = getattr(chunk, "usage", None)
            if usage is not None:
                self.input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
                self.output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        except Exception:
            pass

    def fail(self, error: BaseException) -> None:
        if isinstance(error, GeneratorExit) or self.recorded:
            return  # The app stopped reading: done() records what arrived.
        self.recorded = True
        self.call.failed(error, self.ttft_ms, "".join(self.parts))

    def done(self) -> None:
        if self.recorded:
            return
        self.recorded = True
        sample = self.call.base()
        if self.model:
            sample["model"] = self.model
        self.call.record(**sample, response="".join(self.parts),
                         latency_ms=self.call.latency_ms(), time_to_first_token_ms=self.ttft_ms,
                         input_tokens=self.input_tokens, output_tokens=self.output_tokens)


def _render_messages(messages: Any) -> str:
    """Chat messages as text, one ``role: content`` line each (text parts of a list content)."""
    if messages is None:
        return ""
    lines = []
    try:
        for m in messages:
            role = m.get("role", "") if isinstance(m, Mapping) else getattr(m, "role", "")
            content = m.get("content") if isinstance(m, Mapping) else getattr(m, "content", "")
            lines.append(f"{role}: {_content_text(content)}")
    except TypeError:
        return str(messages)
    return "\n".join(lines)


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            text = part.get("text") if isinstance(part, Mapping) else getattr(part, "text", None)
            if text:
                texts.append(str(text))
        return "\n".join(texts)
    return str(content)


def _message_text(message: Any) -> str:
    if message is None:
        return ""
    content = getattr(message, "content", None)
    if content:
        return str(content)
    calls = getattr(message, "tool_calls", None) or []
    return "\n".join(f"{c.function.name}({c.function.arguments})" for c in calls
                     if getattr(c, "function", None) is not None)
