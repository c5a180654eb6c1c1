"""Samples as rows of JSONL or CSV files: reading them (with line numbers and field errors),
writing them, and turning them into ``Client.record`` arguments. Used by ``llmtap export``,
``llmtap import`` and ``llmtap eval`` (datasets and results files).

A row is a flat dict. Its fields are the sample's (``id``, ``app``, ``session_id``, ``model``,
``prompt_version``, ``variant``, ``pair_id``, ``prompt``, ``response``, ``contexts`` (a list of
str), ``reference``, ``start_time_unix_nano``, ``latency_ms``, ``time_to_first_token_ms``,
``input_tokens``, ``output_tokens``, ``ok``, ``error``, ``metadata`` (str to str),
``cost_usd``) and, in exports, ``scores`` (rubric name to value, scored ones only). In CSV,
``contexts``, ``metadata`` and ``scores`` cells hold JSON; a ``contexts`` cell that is not a
JSON list is one context.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from dataclasses import dataclass
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Tuple

# Limits of proto/llmtap/v1/sample.proto (the collector enforces them; checking here lets a
# bad row be reported with its line instead of failing a batch).
LIMIT_NAME_BYTES = 256
LIMIT_TEXT_BYTES = 1 << 20
LIMIT_CONTEXTS = 64
LIMIT_CONTEXTS_TOTAL_BYTES = 1 << 20
LIMIT_ERROR_BYTES = 4096
LIMIT_METADATA_ENTRIES = 64
LIMIT_METADATA_BYTES = 1024

NAME_FIELDS = ("app", "session_id", "model", "prompt_version", "variant", "pair_id")
TEXT_FIELDS = ("prompt", "response", "reference")
FLOAT_FIELDS = ("latency_ms", "time_to_first_token_ms", "cost_usd")
INT_FIELDS = ("input_tokens", "output_tokens", "start_time_unix_nano")
EXPORT_FIELDS = ("id", "app", "session_id", "model", "prompt_version", "variant", "pair_id",
                 "prompt", "response", "contexts", "reference", "start_time_unix_nano",
                 "latency_ms", "time_to_first_token_ms", "input_tokens", "output_tokens", "ok",
                 "error", "metadata", "cost_usd", "scores")
JSON_CELLS = ("contexts", "metadata", "scores")


@dataclass
class RowError:
    """A row that cannot be used: its line (1-based, in the file) and the field at fault."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f": field '{self.field}'" if self.field else "")
        return f"{where}: {self.message}"


def file_format(path: str, explicit: Optional[str] = None) -> str:
    """'jsonl' or 'csv': `explicit`, else from the file name (.csv is CSV, anything else JSONL)."""
    if explicit:
        if explicit not in ("jsonl", "csv"):
            raise ValueError(f"format {explicit!r}: want jsonl or csv")
        return explicit
    return "csv" if path.lower().endswith(".csv") else "jsonl"


def read_rows(stream: IO[str], fmt: str) -> Iterator[Tuple[int, Optional[Dict[str, Any]],
                                                           Optional[RowError]]]:
    """Each row of a JSONL or CSV stream as (line, row, None), or (line, None, error) for a
    line that does not parse. Blank JSONL lines are skipped. CSV cells of JSON_CELLS are
    decoded; the CSV line is the one the row starts on."""
    if fmt == "jsonl":
        for number, text in enumerate(stream, 1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                yield number, None, RowError(number, "", f"not valid JSON: {e.msg} at column "
                                                         f"{e.colno}")
                continue
            if not isinstance(value, dict):
                yield number, None, RowError(number, "", "want a JSON object per line")
                continue
            yield number, value, None
        return
    reader = csv.DictReader(stream)
    start = 2  # The header is line 1.
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if None in record:
                yield line, None, RowError(line, "", "more cells than the header has columns")
                continue
            row: Dict[str, Any] = {}
            error = None
            for key, cell in record.items():
                if key is None or cell is None or cell == "":
                    continue
                if key in JSON_CELLS:
                    try:
                        row[key] = json.loads(cell)
                    except json.JSONDecodeError:
                        if key == "contexts":
                            row[key] = [cell]
                        else:
                            error = RowError(line, key, "want a JSON object in this cell")
                            break
                else:
                    row[key] = cell
            yield (line, None, error) if error else (line, row, None)
    except csv.Error as e:
        yield start, None, RowError(start, "", f"not valid CSV: {e}")


def _str_field(row: Dict[str, Any], key: str, line: int, limit: int,
               errors: List[RowError]) -> str:
    value = row.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(RowError(line, key, f"want a string, got {type(value).__name__}"))
        return ""
    if len(value.encode("utf-8", "surrogatepass")) > limit:
        errors.append(RowError(line, key, f"longer than {limit} bytes"))
    return value


def _number(row: Dict[str, Any], key: str, line: int, kind: type,
            errors: List[RowError]) -> Any:
    value = row.get(key)
    if value is None or value == "":
        return kind(0)
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(float(value)) if kind is float else int(value)
    except (TypeError, ValueError):
        errors.append(RowError(line, key, f"want a number, got {value!r}"))
        return kind(0)
    if number < 0:
        errors.append(RowError(line, key, "must be >= 0"))
    return number


def to_sample(row: Dict[str, Any], line: int, *,
              known: Iterable[str] = EXPORT_FIELDS) -> Tuple[Dict[str, Any], List[RowError]]:
    """Checks one row and returns the ``Client.record`` keyword arguments for it, or the
    errors (each naming the field). ``id`` must be 32 lowercase hex characters when given;
    ``start_time_unix_nano`` 0 or absent means now (it is kept exactly: an int)."""
    errors: List[RowError] = []
    unknown = sorted(set(row) - set(known))
    if unknown:
        errors.append(RowError(line, unknown[0], "unknown field (known: " +
                               ", ".join(k for k in known) + ")"))
    sample: Dict[str, Any] = {}
    rid = _str_field(row, "id", line, 32, errors)
    if rid and (len(rid) != 32 or any(c not in "0123456789abcdef" for c in rid)):
        errors.append(RowError(line, "id", "want 32 lowercase hex characters"))
    sample["id"] = rid
    for key in NAME_FIELDS:
        sample[key] = _str_field(row, key, line, LIMIT_NAME_BYTES, errors)
    for key in TEXT_FIELDS:
        sample[key] = _str_field(row, key, line, LIMIT_TEXT_BYTES, errors)
    sample["error"] = _str_field(row, "error", line, LIMIT_ERROR_BYTES, errors)
    contexts = row.get("contexts") or []
    if isinstance(contexts, str):
        contexts = [contexts]
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        errors.append(RowError(line, "contexts", "want a list of strings"))
        contexts = []
    elif len(contexts) > LIMIT_CONTEXTS:
        errors.append(RowError(line, "contexts", f"more than {LIMIT_CONTEXTS} entries"))
    elif sum(len(c.encode("utf-8", "surrogatepass")) for c in contexts) > \
            LIMIT_CONTEXTS_TOTAL_BYTES:
        errors.append(RowError(line, "contexts", f"longer than {LIMIT_CONTEXTS_TOTAL_BYTES} "
                                                 "bytes together"))
    sample["contexts"] = contexts
    metadata = row.get("metadata") or {}
    if not isinstance(metadata, dict):
        errors.append(RowError(line, "metadata", "want an object of strings"))
        metadata = {}
    else:
        metadata = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in metadata.items()}
        if len(metadata) > LIMIT_METADATA_ENTRIES:
            errors.append(RowError(line, "metadata", f"more than {LIMIT_METADATA_ENTRIES} "
                                                     "entries"))
        for k, v in metadata.items():
            if len(k.encode()) > LIMIT_METADATA_BYTES or len(v.encode()) > LIMIT_METADATA_BYTES:
                errors.append(RowError(line, "metadata", f"key or value of {k[:40]!r} longer "
                                                         f"than {LIMIT_METADATA_BYTES} bytes"))
                break
    sample["metadata"] = metadata
    for key in FLOAT_FIELDS:
        sample[key] = _number(row, key, line, float, errors)
    for key in INT_FIELDS:
        sample[key] = _number(row, key, line, int, errors)
    ok = row.get("ok", True)
    if isinstance(ok, str):
        if ok.lower() not in ("true", "false", "1", "0", ""):
            errors.append(RowError(line, "ok", "want true or false"))
        ok = ok.lower() in ("true", "1", "")
    sample["ok"] = bool(ok) and not sample["error"]
    return sample, errors


def derive_id(sample: Dict[str, Any]) -> str:
    """A stable id for a row that has none: a hash of its content, so a second import of the
    same row gives the same id (and the collector stores it once)."""
    content = {k: v for k, v in sample.items() if k not in ("id", "start_time_unix_nano")}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return digest[:32]


def sample_row(item: Dict[str, Any], *, with_scores: bool = True) -> Dict[str, Any]:
    """A QueryClient sample (``{"sample": ..., "scores": ...}``) as an export row."""
    s = item["sample"]
    row: Dict[str, Any] = {k: s.get(k) for k in EXPORT_FIELDS if k in s}
    row["ok"] = s.get("status") != "CALL_STATUS_ERROR"
    row["contexts"] = list(s.get("contexts") or [])
    row["metadata"] = dict(sorted((s.get("metadata") or {}).items()))
    if with_scores:
        row["scores"] = {sc["rubric"]: sc["value"] for sc in sorted(
            item.get("scores") or [], key=lambda sc: sc["rubric"])
            if sc.get("state") == "SCORE_STATE_SCORED"}
    return {k: row[k] for k in EXPORT_FIELDS if k in row}


class RowWriter:
    """Writes export rows as JSONL or CSV (with a header line) to a text stream."""

    def __init__(self, stream: IO[str], fmt: str, *, with_scores: bool = True) -> None:
        self.stream = stream
        self.fmt = fmt
        self.fields = [f for f in EXPORT_FIELDS if with_scores or f != "scores"]
        self._csv: Optional["csv.DictWriter[str]"] = None
        if fmt == "csv":
            self._csv = csv.DictWriter(stream, fieldnames=self.fields, extrasaction="ignore",
                                       lineterminator="\n")
            self._csv.writeheader()

    def write(self, row: Dict[str, Any]) -> None:
        if self._csv is None:
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        cells = {k: (json.dumps(v, ensure_ascii=False) if k in JSON_CELLS else
                     ("true" if v is True else "false" if v is False else v))
                 for k, v in row.items()}
        self._csv.writerow(cells)


def now_nanos() -> int:
    return time.time_ns()


def open_text(path: str, mode: str) -> IO[str]:
    """A file, or stdin/stdout for '-'."""
    import sys

    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8") if "r" in mode else \
            sys.stdout
    return open(path, mode, encoding="utf-8", newline="" if path.endswith(".csv") else None)
