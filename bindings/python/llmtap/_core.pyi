"""Type stubs of llmtap._core, the C++ extension behind the llmtap package."""

import datetime
from typing import Any, Dict, List, Optional, Union

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
        contexts: List[str] = ...,
        reference: str = "",
        start_time: Optional[_Time] = None,
        latency_ms: float = 0.0,
        time_to_first_token_ms: float = 0.0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        ok: Optional[bool] = None,
        error: str = "",
        metadata: Dict[str, str] = ...,
        cost_usd: float = 0.0,
    ) -> None: ...
    def flush(self, timeout_s: float = 5.0) -> None: ...
    def shutdown(self, timeout_s: float = 5.0) -> None: ...
    def stats(self) -> Dict[str, int]: ...

class QueryClient:
    def __init__(self, address: str, timeout_s: float = 10.0) -> None: ...
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
    def call(self, method: str, request_json: str = "{}") -> str: ...
    def call_dict(self, method: str, request_json: str = "{}") -> Dict[str, Any]: ...

def new_sample_id() -> str: ...
