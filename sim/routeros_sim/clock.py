"""Clocks a router can run on: the wall clock (the default) or one a test moves by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["ManualClock", "ScaledClock"]


class ManualClock:
    """A clock that stands still until told to move: ``Router.clock = ManualClock(start)``, then
    ``advance(seconds)`` and ``Router.run_due()`` run what the scheduler had due by then, with no
    waiting and the same result every time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start if start is not None else datetime(2026, 1, 15, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class ScaledClock:
    """The wall clock sped up: ``speed`` router seconds pass per real second, from ``start``
    (``routeros-sim serve --clock-speed``, for watching a scheduler without the wait)."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("a clock speed is a positive number")
        self.speed = speed
        self.start = start if start is not None else datetime.now()
        self._real_start = datetime.now()

    def __call__(self) -> datetime:
        return self.start + (datetime.now() - self._real_start) * self.speed
