"""Progress bars on stderr (rich), shown only when stderr is a terminal."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional

Advance = Callable[[int], None]


@contextlib.contextmanager
def progress_bar(description: str, total: Optional[int] = None, *,
                 enabled: Optional[bool] = None) -> Iterator[Advance]:
    """Yields ``advance(n)``. ``total`` None shows a count without a bar. Off unless stderr is a
    terminal (or ``enabled`` says otherwise), so CI logs get no control codes."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                               TextColumn, TimeElapsedColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
