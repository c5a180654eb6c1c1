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

One line instruments the official ``openai`` package (sync, async and streaming calls)::

    client = llmtap.instrument_openai(openai.OpenAI(), recorder=llmtap.Client(app="bot"))

The ``llmtap`` command (``python -m llmtap``) runs golden-set evals that gate CI, imports and
exports samples, and prints stats, rubrics and alerts: see ``llmtap --help``.

The C++ core (``llmtap._core``) does the work and releases the GIL while it waits; no Python
code ever runs on its background threads.
"""

from __future__ import annotations

from ._core import (
    DeadlineExceededError,
    Error,
    InvalidArgumentError,
    QueryError,
    Redaction,
    new_sample_id,
)
from ._client import Client, Trace
from ._query import DEFAULT_COLLECTOR, QueryClient
from .filters import Filter, make_filter, parse_filter
from .instrument import instrument_openai

__all__ = [
    "DEFAULT_COLLECTOR",
    "Client",
    "DeadlineExceededError",
    "Error",
    "Filter",
    "InvalidArgumentError",
    "QueryClient",
    "QueryError",
    "Redaction",
    "Trace",
    "instrument_openai",
    "make_filter",
    "new_sample_id",
    "parse_filter",
]

__version__ = "0.1.0"
