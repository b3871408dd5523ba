"""A loopback TCP proxy that makes two runs race the way that hurts: every client has read the
router before any of them writes.

A client of the plain API talks in bursts: it sends, then waits for the answer. The proxy counts
a client's bursts (bytes from the client after the router has spoken) and holds burst number
`hold` (for a NAT module: 1 login, 2 the read batch, 3 the write batch) until the burst before it
has been answered for `clients` connections, or `timeout` seconds pass. Plain TCP only: with TLS
the handshake would add bursts of its own.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass


@dataclass
class _Connection:
    bursts: int = 0
    router_spoke: bool = True  # so the client's first bytes start burst 1
    counted: bool = False


class GateProxy:
    def __init__(self, upstream_port: int, *, clients: int = 2, hold: int = 3, timeout: float = 60) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.clients = clients
        self.hold = hold
        self.timeout = timeout
        self.answered = 0  # connections whose burst before `hold` has been answered
        self.opened_by_timeout = False
        self._cond = threading.Condition()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name="gate-proxy", daemon=True)

    def __enter__(self) -> GateProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
        with self._cond:
            self._cond.notify_all()

    @property
    def gate_held(self) -> bool:
        """Did every client read before any wrote (the gate opened on its condition)?"""
        return self.answered >= self.clients and not self.opened_by_timeout

    def _accept(self) -> None:
        while True:
            try:
                client, _peer = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            state = _Connection()
            for target, args in (
                (self._client_to_router, (client, upstream, state)),
                (self._router_to_client, (upstream, client, state)),
            ):
                threading.Thread(target=target, args=args, daemon=True).start()

    def _client_to_router(self, client: socket.socket, upstream: socket.socket, state: _Connection) -> None:
        try:
            while data := client.recv(65536):
                with self._cond:
                    if state.router_spoke:
                        state.bursts += 1
                        state.router_spoke = False
                    if state.bursts == self.hold:
                        opened = self._cond.wait_for(lambda: self.answered >= self.clients, timeout=self.timeout)
                        self.opened_by_timeout |= not opened
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)

    def _router_to_client(self, upstream: socket.socket, client: socket.socket, state: _Connection) -> None:
        try:
            while data := upstream.recv(65536):
                with self._cond:
                    state.router_spoke = True
                    if state.bursts == self.hold - 1 and not state.counted:
                        state.counted = True
                        self.answered += 1
                        self._cond.notify_all()
                client.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)
