"""Fault injection: a failure fired once, when a router's Nth write or command arrives."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "Fault"]

FAULT_KINDS = ("drop-before-write", "drop-after-write", "trap-on-command", "stall-on-command")


@dataclass(frozen=True)
class Fault:
    """One injected failure, fired once, when the router's Nth write (or command) arrives.

    * ``drop-before-write:N`` - the Nth write is not executed; the connection closes instead.
    * ``drop-after-write:N`` - the Nth write is executed and persisted, then the connection closes
      before the reply is sent.
    * ``trap-on-command:N`` - the Nth command gets ``!trap`` and changes nothing.
    * ``stall-on-command:N`` - the Nth command is never answered; the connection stays open.

    Commands are counted over the router's life in this process, across connections; only the
    commands a router executes count (``/login``, ``/quit`` and ``/cancel`` do not).
    """

    kind: str
    n: int

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (expected one of {', '.join(FAULT_KINDS)})")
        if self.n < 1:
            raise ValueError(f"fault {self.kind} needs N >= 1, got {self.n}")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        kind, sep, number = spec.strip().partition(":")
        if not sep or not number.strip().isdigit():
            raise ValueError(f"fault {spec!r} is not KIND:N (e.g. drop-before-write:2)")
        return cls(kind.strip(), int(number))

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}"
