"""Type stubs of llmtap._core, the C++ extension behind the llmtap package."""

import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

_Seconds = Union[float, datetime.timedelta]
_Time = Union[float, datetime.datetime]

class Error(Exception):
    """Base of every llmtap error."""

    code: str
    message: str

class InvalidArgumentError(Error, ValueError): ...
class DeadlineExceededError(Error, TimeoutError): ...
class QueryError(Error): ...

class Redaction:
    emails: bool
    phone_numbers: bool
    card_numbers: bool
    ip_addresses: bool
    custom_patterns: List[str]
    def __init__(
        self,
        *,
        emails: bool = False,
        phone_numbers: bool = False,
        card_numbers: bool = False,
        ip_addresses: bool = False,
        custom_patterns: List[str] = ...,
    ) -> None: ...

class Client:
    def __init__(
        self,
        *,
        from_env: bool = False,
        collector_address: Optional[str] = None,
        app: Optional[str] = None,
        api_key: Optional[str] = None,
        tls: Optional[bool] = None,
        ca_file: Optional[str] = None,
        server_name: Optional[str] = None,
        max_buffer_bytes: Optional[int] = None,
        max_batch_samples: Optional[int] = None,
        max_batch_bytes: Optional[int] = None,
        linger: Optional[_Seconds] = None,
        max_inflight_batches: Optional[int] = None,
        sample_rate: Optional[float] = None,
        redaction: Optional[Redaction] = None,
        initial_backoff: Optional[_Seconds] = None,
        max_backoff: Optional[_Seconds] = None,
        stats_interval: Optional[_Seconds] = None,
    ) -> None: ...
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
        contexts: Optional[Sequence[str]] = ...,
        reference: str = "",
        start_time: Optional[_Time] = None,
        latency_ms: float = 0.0,
        time_to_first_token_ms: float = 0.0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        ok: Optional[bool] = None,
        error: str = "",
        metadata: Optional[Mapping[str, str]] = ...,
        cost_usd: float = 0.0,
        start_time_unix_nano: int = 0,
    ) -> None:
        """Hands one sample to the background sender and returns at once (never blocks, never
        raises for the collector's sake). Empty id/app/start_time are filled in; ok defaults to
        not error. TypeError for an unknown keyword or a value of the wrong type."""
    def flush(self, timeout_s: float = 5.0) -> None: ...
    def shutdown(self, timeout_s: float = 5.0) -> None: ...
    def stats(self) -> Dict[str, int]: ...

class QueryClient:
    def __init__(
        self,
        address: str,
        timeout_s: float = 10.0,
        *,
        api_key: str = "",
        tls: bool = False,
        root_certs_pem: str = "",
        server_name: str = "",
    ) -> None: ...
    @property
    def address(self) -> str: ...
    def get_sample(self, id: str) -> Dict[str, Any]: ...
    def list_samples(
        self,
        *,
        app: Optional[str] = None,
        model: Optional[str] = None,
        variant: Optional[str] = None,
        session_id: Optional[str] = None,
        metadata: Optional[Dict[str, str]] = None,
        start: Optional[_Time] = None,
        end: Optional[_Time] = None,
        page_size: int = 50,
        page_token: str = "",
        with_scores: bool = False,
    ) -> Dict[str, Any]: ...
    def create_key(
        self,
        *,
        name: str = "",
        role: str,
        apps: List[str] = ...,
        ingest_samples_per_s: float = 0.0,
        queries_per_s: float = 0.0,
    ) -> Dict[str, Any]: ...
    def list_keys(self, *, include_revoked: bool = False) -> List[Dict[str, Any]]: ...
    def revoke_key(self, id: str) -> Dict[str, Any]: ...
    def list_audit(self, *, limit: int = 100) -> List[Dict[str, Any]]: ...
    def call(self, method: str, request_json: str = "{}") -> str: ...
    def call_dict(self, method: str, request_json: str = "{}") -> Dict[str, Any]: ...
    def tail(self, request_json: str = "{}") -> TailStream: ...

class TailStream:
    def read(self, timeout_s: float = 1.0) -> Optional[Dict[str, Any]]:
        """The next {"score", "sample"} dict, None after timeout_s with nothing new.
        StopIteration when the stream ended or was cancelled, QueryError when it failed."""
    def cancel(self) -> None: ...

def new_sample_id() -> str: ...
