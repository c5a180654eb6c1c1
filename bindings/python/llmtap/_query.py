"""QueryClient: reads what the collector stored, over its gRPC QueryService."""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from . import _core
from ._client import Time
from .filters import Filter, make_filter

DEFAULT_COLLECTOR = "127.0.0.1:7317"

Request = Union[Mapping[str, Any], str, None]


class QueryClient:
    """Reads what the collector stored, over its gRPC query API.

    ``address`` defaults to ``$LLMTAP_COLLECTOR`` or 127.0.0.1:7317. Each RPC has a deadline of
    ``timeout_s``. Failures raise :class:`QueryError` with the gRPC code name in ``.code``.

    Security: ``api_key`` (default ``$LLMTAP_API_KEY``) is sent as the gRPC metadata
    ``authorization: Bearer <key>``. TLS is used when ``ca_file`` (PEM of the CA that signed
    the collector's certificate; default ``$LLMTAP_CA_FILE``) is given or ``tls=True`` (the
    system's roots); ``server_name`` (default ``$LLMTAP_SERVER_NAME``) is the name the
    certificate must carry when it differs from the address's host.

    Filters: methods that take a ``filter`` accept a dict in the shape of ``llmtap.v1.Filter``
    (see :func:`llmtap.make_filter` and :func:`llmtap.parse_filter`).
    """

    def __init__(
        self,
        address: Optional[str] = None,
        *,
        timeout_s: float = 10.0,
        api_key: Optional[str] = None,
        ca_file: Optional[str] = None,
        server_name: Optional[str] = None,
        tls: bool = False,
    ) -> None:
        address = address or os.environ.get("LLMTAP_COLLECTOR") or DEFAULT_COLLECTOR
        api_key = api_key if api_key is not None else os.environ.get("LLMTAP_API_KEY", "")
        ca_file = ca_file if ca_file is not None else os.environ.get("LLMTAP_CA_FILE", "")
        if server_name is None:
            server_name = os.environ.get("LLMTAP_SERVER_NAME", "")
        root_certs = ""
        if ca_file:
            with open(ca_file, encoding="utf-8") as f:
                root_certs = f.read()
        self._core = _core.QueryClient(
            address, timeout_s, api_key=api_key, tls=tls or bool(root_certs),
            root_certs_pem=root_certs, server_name=server_name)

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

    def iter_pages(
        self, filter: Optional[Filter] = None, *, page_size: int = 500, with_scores: bool = True
    ) -> Iterator[List[Dict[str, Any]]]:
        """Every sample matching a full ``Filter`` (rubric and score bounds included), one page
        (a list of ``{"sample": ..., "scores": ...}``) at a time, newest first."""
        token = ""
        while True:
            page = self.call("ListSamples", {"filter": filter or {}, "page_size": page_size,
                                             "page_token": token, "with_scores": with_scores})
            yield page["samples"]
            token = page["next_page_token"]
            if not token:
                return

    def stats(self, filter: Optional[Filter] = None) -> Dict[str, Any]:
        """Latency, time to first token, tokens and cost summaries and the error rate."""
        return self.call("Stats", {"filter": filter or {}})

    def completeness(self, filter: Optional[Filter] = None) -> Dict[str, Any]:
        """Samples stored, SDK counters, and per rubric: scored, errors, sampled out, skipped."""
        return self.call("Completeness", {"filter": filter or {}})

    def compare(
        self,
        baseline: Filter,
        candidate: Filter,
        *,
        rubrics: Sequence[str] = (),
        max_drop: Optional[float] = None,
        alpha: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Per rubric: both populations' summaries, delta, Welch's t-test and a verdict
        (``VERDICT_PASS`` / ``VERDICT_REGRESSION`` / ``VERDICT_INSUFFICIENT_DATA``);
        ``passed`` is true when no rubric regressed."""
        request: Dict[str, Any] = {"baseline": baseline, "candidate": candidate,
                                   "rubrics": list(rubrics)}
        if max_drop is not None:
            request["max_drop"] = max_drop
        if alpha is not None:
            request["alpha"] = alpha
        return self.call("Compare", request)

    def list_rubrics(self, *, include_disabled: bool = False) -> List[Dict[str, Any]]:
        rubrics: List[Dict[str, Any]] = self.call(
            "ListRubrics", {"include_disabled": include_disabled})["rubrics"]
        return rubrics

    def upsert_rubric(self, rubric: Mapping[str, Any]) -> Dict[str, Any]:
        """Creates or replaces a rubric (a dict in the proto3 JSON mapping of
        ``llmtap.v1.Rubric``); returns it as stored, with its new version."""
        return self.call("UpsertRubric", {"rubric": dict(rubric)})

    def set_rubric_enabled(self, name: str, enabled: bool) -> Dict[str, Any]:
        return self.call("SetRubricEnabled", {"name": name, "enabled": enabled})

    def list_alert_rules(self) -> List[Dict[str, Any]]:
        rules: List[Dict[str, Any]] = self.call("ListAlertRules")["rules"]
        return rules

    def list_alerts(
        self, *, rule: str = "", limit: int = 100, since: Optional[Time] = None
    ) -> List[Dict[str, Any]]:
        """Fired and resolved alert events, newest first."""
        request: Dict[str, Any] = {"rule": rule, "limit": limit}
        if since is not None:
            request["since_unix_nano"] = make_filter(start=since)["start_unix_nano"]
        events: List[Dict[str, Any]] = self.call("ListAlerts", request)["events"]
        return events

    def create_key(
        self,
        *,
        role: str,
        name: str = "",
        apps: Sequence[str] = (),
        ingest_samples_per_s: float = 0.0,
        queries_per_s: float = 0.0,
    ) -> Dict[str, Any]:
        """Makes an API key (AdminService.CreateKey; needs an admin key, or none while the
        collector has no keys). ``role`` is "ingest", "read" or "admin"; ``apps`` limits the
        key to those apps (empty: every app); a rate of 0 takes the collector's default.
        Answers ``{"key": {...}, "secret": str}``: the secret is shown this once only."""
        return self._core.create_key(
            name=name, role=role, apps=list(apps),
            ingest_samples_per_s=ingest_samples_per_s, queries_per_s=queries_per_s)

    def list_keys(self, *, include_revoked: bool = False) -> List[Dict[str, Any]]:
        """Keys, newest first, without their secrets (``llmtap.v1.ApiKey`` dicts)."""
        return self._core.list_keys(include_revoked=include_revoked)

    def revoke_key(self, id: str) -> Dict[str, Any]:
        """Revokes a key at once (its next call fails with UNAUTHENTICATED); answers the key.
        NOT_FOUND for an unknown id."""
        return self._core.revoke_key(id)

    def list_audit(self, *, limit: int = 100) -> List[Dict[str, Any]]:
        """Admin actions, newest first (``llmtap.v1.AuditEvent`` dicts), at most ``limit``
        (1..1000)."""
        return self._core.list_audit(limit=limit)

    def tail(self, filter: Optional[Filter] = None, *, poll_s: float = 0.5,
             duration_s: Optional[float] = None) -> Iterator[Dict[str, Any]]:
        """New scores as they are stored (``{"score": ..., "sample": ...}``), until the caller
        stops iterating (the call is cancelled then), ``duration_s`` pass, or the collector
        ends the stream. Between items it wakes every ``poll_s`` so that Ctrl-C is seen."""
        stream = self._core.tail(json.dumps({"filter": filter or {}}))
        end = None if duration_s is None else time.monotonic() + duration_s
        try:
            while end is None or time.monotonic() < end:
                wait = poll_s if end is None else max(0.0, min(poll_s, end - time.monotonic()))
                try:
                    item = stream.read(wait)
                except StopIteration:
                    return
                if item is not None:
                    yield item
        finally:
            stream.cancel()

    def call(self, method: str, request: Request = None) -> Dict[str, Any]:
        """Calls any unary QueryService method by name, e.g. ``call("Stats", {"filter": {...}})``.

        The request is a dict (or JSON text) in the proto3 JSON mapping; the answer is a dict as
        described in the module docs. UNIMPLEMENTED for a method the service lacks (or that
        streams) or that the collector does not serve yet.
        """
        return self._core.call_dict(method, _request_json(request))

    def call_json(self, method: str, request: Request = None) -> str:
        """Like :meth:`call`, but answers JSON text (proto field names, every field printed;
        64-bit integers as strings, as the proto3 JSON mapping has them)."""
        return self._core.call(method, _request_json(request))

    def __enter__(self) -> "QueryClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def _request_json(request: Request) -> str:
    if request is None:
        return "{}"
    if isinstance(request, str):
        return request
    return json.dumps(dict(request))
