"""When to try a failed delivery again: capped exponential backoff with jitter."""

from __future__ import annotations

import random
from datetime import timedelta

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def retry_delay(
    attempt: int,
    *,
    base: timedelta = BASE,
    cap: timedelta = CAP,
    rng: random.Random | None = None,
) -> timedelta:
    """Return the wait after failed attempt number `attempt` (1-based).

    The wait doubles each time up to `cap`, then a random factor in [0.5, 1) spreads
    retries of many deliveries that failed together so they do not return together.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap.total_seconds(), base.total_seconds() * 2 ** min(attempt - 1, 30))
    factor = (rng or random).uniform(0.5, 1.0)  # noqa: S311 (spreading retries, not secrets)
    return timedelta(seconds=ceiling * factor)
