"""Filters of the query API (``llmtap.v1.Filter``) as dicts, from arguments or from text.

``make_filter(app="bot", start=time.time() - 3600)`` and
``parse_filter("app=bot,variant=shadow,since=24h")`` both give a dict that every
:class:`QueryClient` method taking a ``filter`` accepts.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from typing import Any, Dict, Mapping, Optional, Union

Filter = Dict[str, Any]
Time = Union[float, int, _dt.datetime]

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

# parse_filter keys and the Filter fields they set. "run" is an eval run: `llmtap eval`
# records a run's rows under variant = the run's name.
_TEXT_KEYS = {"app": "app", "model": "model", "variant": "variant", "run": "variant",
              "session": "session_id", "session_id": "session_id", "rubric": "rubric"}


def unix_nanos(value: Time) -> int:
    """Unix seconds (int or float) or a datetime (naive means local time) as Unix nanoseconds."""
    if isinstance(value, bool):
        raise TypeError("a time must be Unix seconds or a datetime, not a bool")
    if isinstance(value, _dt.datetime):
        return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000
    if isinstance(value, (int, float)):
        return int(round(value * 1e9))
    raise TypeError(f"a time must be Unix seconds or a datetime, not {type(value).__name__}")


def make_filter(
    *,
    app: Optional[str] = None,
    model: Optional[str] = None,
    variant: Optional[str] = None,
    session_id: Optional[str] = None,
    metadata: Optional[Mapping[str, str]] = None,
    start: Optional[Time] = None,
    end: Optional[Time] = None,
    rubric: Optional[str] = None,
    score_below: Optional[float] = None,
    score_above: Optional[float] = None,
) -> Filter:
    """A Filter dict with only the given fields set. start/end bound start_time as [start, end)."""
    f: Filter = {}
    for key, value in (("app", app), ("model", model), ("variant", variant),
                       ("session_id", session_id), ("rubric", rubric)):
        if value:
            f[key] = value
    if metadata:
        f["metadata"] = dict(metadata)
    if start is not None:
        f["start_unix_nano"] = unix_nanos(start)
    if end is not None:
        f["end_unix_nano"] = unix_nanos(end)
    if score_below is not None:
        f["score_below"] = float(score_below)
    if score_above is not None:
        f["score_above"] = float(score_above)
    return f


def parse_time(text: str, *, now: Optional[float] = None) -> float:
    """``24h`` / ``30m`` / ``7d`` / ``90s`` / ``2w`` ago, an ISO 8601 date or time, or Unix
    seconds, as Unix seconds. Raises ValueError naming the text otherwise."""
    text = text.strip()
    m = _DURATION.match(text)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNIT_S[m.group(2)]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValueError(f"{text!r} is not a time: want e.g. 24h, 2026-01-31T12:00, or Unix "
                         "seconds") from None


def parse_filter(text: str) -> Filter:
    """A Filter from ``key=value`` pairs joined by commas, e.g.
    ``app=bot,variant=shadow,since=24h`` or ``run=nightly-42,meta.tenant=acme``.

    Keys: app, model, variant, run (the same as variant: an eval run's name), session,
    rubric, since and until (see :func:`parse_time`), score_below, score_above, and
    ``meta.KEY`` for a metadata entry. Raises ValueError naming a bad pair.
    """
    f: Filter = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        value = value.strip()
        if not sep or not key:
            raise ValueError(f"{part!r}: want key=value")
        if key in _TEXT_KEYS:
            f[_TEXT_KEYS[key]] = value
        elif key in ("since", "start"):
            f["start_unix_nano"] = unix_nanos(parse_time(value))
        elif key in ("until", "end"):
            f["end_unix_nano"] = unix_nanos(parse_time(value))
        elif key in ("score_below", "score_above"):
            try:
                f[key] = float(value)
            except ValueError:
                raise ValueError(f"{part!r}: {key} wants a number") from None
        elif key.startswith(("meta.", "metadata.")):
            f.setdefault("metadata", {})[key.split(".", 1)[1]] = value
        else:
            raise ValueError(f"{part!r}: unknown key {key!r} (want app, model, variant, run, "
                             "session, rubric, since, until, score_below, score_above, "
                             "meta.KEY)")
    return f
