# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The one connection to a router: connect (TLS verified by default), then run batches of API
# commands. A batch is written at once with a `.tag` per command and its answers are matched by
# tag, so one batch costs one round trip however many commands it holds.

from __future__ import annotations

import contextlib
import functools
import os
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional, Sequence

LIBROUTEROS_IMPORT_ERROR: Optional[str]
try:
    import librouteros
    from librouteros.exceptions import ConnectionClosed, FatalError, LibRouterosError, ProtocolError, TrapError
    from librouteros.protocol import encode_sentence, parse_word
except ImportError as exc:  # pragma: no cover - depends on the host
    LIBROUTEROS_IMPORT_ERROR = str(exc)
else:
    LIBROUTEROS_IMPORT_ERROR = None
    # A table's rows repeat most of their words (`=chain=dstnat`, `=disabled=false`): parse each
    # distinct word once. (The values are str, int or bool: sharing them is safe.)
    _parsed_word = functools.lru_cache(maxsize=4096)(parse_word)

API_PORT = 8728
API_SSL_PORT = 8729
ENCODING = "utf-8"


CONNECTION_OPTIONS = ("hostname", "username", "password")


def api_argument_spec() -> Dict[str, Dict[str, Any]]:
    """Connection options, documented in the `hairpin.routeros.api` doc fragment.

    hostname, username and password are required by each module for the states that talk to
    a router (`rendered` and `parsed` work offline), through `required_if`."""
    return dict(
        hostname=dict(type="str"),
        port=dict(type="int"),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        tls=dict(type="bool", default=True),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=10),
    )


# Options that name a file on the controller: checked before connecting, so a wrong path is
# named as such instead of surfacing as the TLS library's bare "No such file or directory".
FILE_OPTIONS = ("ca_path",)


def file_problem(path: str) -> Optional[str]:
    """Why `path` is not a file this process can read, or None."""
    if not os.path.exists(path):
        return "%s does not exist" % path
    if not os.path.isfile(path):
        return "%s is not a file" % path
    if not os.access(path, os.R_OK):
        return "%s cannot be read (permission denied)" % path
    return None


def file_problems(
    params: Mapping[str, Any], host: Optional[str], label: Callable[[str], str] = "option '{0}'".format
) -> List[str]:
    """Each file option given whose file cannot be read, as "host 'H': option 'ca_path': ...".
    `label` names an option as the caller's user gave it."""
    where = "host '%s': " % host if host else ""
    out = []
    for option in FILE_OPTIONS:
        if params.get(option):
            problem = file_problem(str(params[option]))
            if problem is not None:
                out.append("%s%s: %s" % (where, label(option), problem))
    return out


class RouterError(Exception):
    """A failure talking to a router. The message names the router and never holds a secret."""


class UnreachableError(RouterError):
    """No API session could be opened: the connection was refused, timed out before the login,
    the name did not resolve, the network is unreachable, or the TLS handshake failed (other
    than a certificate we refuse). Ansible counts such a host as unreachable. A rejected
    certificate, a refused login and an error after the login are RouterErrors: the router
    answered, and what is wrong needs fixing on one side or the other."""


# How RouterOS answers a command in a menu it does not have (no /ipv6 on RouterOS 6 with its
# ipv6 package disabled): "no such command prefix" (7 sends "no such command or directory (x)" first).
_NO_SUCH_MENU = "no such command"


class CommandError(RouterError):
    """A command answered with `!trap`."""

    def __init__(self, target: str, command: "Command", message: str, category: Optional[str] = None):
        self.command = command
        self.trap_message = message
        self.category = category
        what = command.path
        item = command.attributes.get(".id") or command.attributes.get("numbers")
        if item:
            what += " on " + item
        super().__init__("router %s: %s failed: %s" % (target, what, message))


@dataclass
class Command:
    """One API sentence: `path` is the command word (`/ip/firewall/nat/print`)."""

    path: str
    attributes: Dict[str, str] = field(default_factory=dict)
    queries: List[str] = field(default_factory=list)

    def words(self) -> List[str]:
        return ["=%s=%s" % (key, value) for key, value in self.attributes.items()] + list(self.queries)


@dataclass
class Result:
    rows: List[Dict[str, Any]] = field(default_factory=list)
    ret: Optional[str] = None
    trap: Optional[Dict[str, Any]] = None


def target_of(params: Mapping[str, Any]) -> str:
    return "%s:%s" % (params["hostname"], effective_port(params))


def effective_port(params: Mapping[str, Any]) -> int:
    if params.get("port"):
        return int(params["port"])
    return API_SSL_PORT if params.get("tls", True) else API_PORT


def connection_warnings(params: Mapping[str, Any]) -> List[str]:
    if not params.get("tls", True):
        return [
            "tls=false: the password and the NAT rules travel in clear text to %s; "
            "use the api-ssl service (tls=true) outside a trusted lab" % target_of(params)
        ]
    if not params.get("validate_certs", True):
        return [
            "validate_certs=false: any host can pose as %s and receive the password; "
            "give the router's CA in ca_path instead" % target_of(params)
        ]
    return []


# OpenSSL's verify codes (X509_V_ERR_*) for the certificate problems a user can fix.
_CERT_EXPIRED = 10
_CERT_NOT_YET_VALID = 9
_NAME_MISMATCH = (62, 64)  # hostname, IP address
_UNKNOWN_ISSUER = (2, 18, 19, 20, 21)


def certificate_problem(target: str, params: Mapping[str, Any], exc: ssl.SSLCertVerificationError) -> str:
    """What is wrong with the router's certificate, and what to do, in one line. The connection
    is refused before the password is sent."""
    detail = exc.verify_message or str(exc.reason)
    code = exc.verify_code
    if code in _NAME_MISMATCH:
        what = (
            "is not valid for the name %r that hostname gives (%s); "
            "connect with a name the certificate holds, or reissue it" % (params["hostname"], detail)
        )
    elif code == _CERT_EXPIRED:
        what = "has expired (%s); renew the router's certificate" % detail
    elif code == _CERT_NOT_YET_VALID:
        what = "is not valid yet (%s); check the clocks of the router and of this host" % detail
    elif code in _UNKNOWN_ISSUER:
        trusted = "the CA in ca_path %s" % params["ca_path"] if params.get("ca_path") else "the system's CAs"
        what = "is not signed by a CA we trust (%s; checked against %s); give the router's CA in ca_path" % (
            detail,
            trusted,
        )
    else:
        what = "was rejected (%s)" % detail
    return "router %s: TLS certificate %s; the password was not sent" % (target, what)


# The system's trust store, loaded once per process: loading it costs some 20 ms of CPU, a
# fleet run's largest cost per router after Ansible's own. The controller's workers inherit it
# from the main process, where services.rehearse loads it before the first fork.
_SYSTEM_TRUST: List[ssl.SSLContext] = []


def system_trust() -> ssl.SSLContext:
    """A verifying client context with the system's trusted CAs (shared: never changed)."""
    if not _SYSTEM_TRUST:
        _SYSTEM_TRUST.append(ssl.create_default_context())
    return _SYSTEM_TRUST[0]


class _TlsWrapper:
    """librouteros's ssl_wrapper; remembers whether the handshake finished, so that a failure
    can say whether it happened in the handshake (often: a plain API port) or after it."""

    def __init__(self, params: Mapping[str, Any]):
        if params.get("validate_certs", True):
            ca_path = params.get("ca_path")
            self.context = ssl.create_default_context(cafile=ca_path) if ca_path else system_trust()
        else:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self.hostname = params["hostname"]
        self.handshake_done = False

    def __call__(self, sock: socket.socket) -> socket.socket:
        wrapped = self.context.wrap_socket(sock, server_hostname=self.hostname)
        self.handshake_done = True
        return wrapped


def _tls_wrapper(params: Mapping[str, Any]) -> _TlsWrapper:
    return _TlsWrapper(params)


# The bits of a 2-, 3- and 4-byte word length that are the length (the rest mark its size).
_LENGTH_MASKS = {2: 0x3FFF, 3: 0x1FFFFF, 4: 0xFFFFFFF}


class _BufferedReads:
    """librouteros's socket transport, reading in large chunks. librouteros reads a reply a few
    bytes at a time (each word's length, then the word): on a TLS socket each of those reads is a
    call into OpenSSL. Serving them from a buffer makes reading a table of thousands of rules
    about a third cheaper."""

    CHUNK = 256 * 1024

    def __init__(self, transport: Any):
        self._transport = transport
        self.sock = transport.sock
        self._buffer = b""
        self._offset = 0

    def write(self, data: bytes) -> None:
        self._transport.write(data)

    def _fill(self) -> None:
        """Append what the socket has to the unread part of the buffer."""
        got = self.sock.recv(self.CHUNK)
        if not got:
            raise ConnectionClosed("Connection unexpectedly closed.")
        self._buffer = self._buffer[self._offset :] + got  # drop what was read already
        self._offset = 0

    def read(self, length: int) -> bytes:
        # librouteros's own reads (the login): each word's length, then the word.
        while len(self._buffer) - self._offset < length:
            self._fill()
        offset = self._offset
        self._offset = offset + length
        return self._buffer[offset : offset + length]

    def read_sentence(self, encoding: str) -> "tuple[str, tuple[str, ...]]":
        """One sentence as librouteros's ApiProtocol.readSentence reads it (its reply word, then
        its words; `!fatal` closes the connection). A table of rows is thousands of words, and
        librouteros spends several calls on each: here a whole sentence is parsed from the buffer
        in one loop, and only a sentence the buffer does not hold yet waits for more bytes."""
        words = self._buffered_sentence(encoding)
        while words is None:
            self._fill()
            words = self._buffered_sentence(encoding)
        if words[0] == "!fatal":
            self.close()
            raise FatalError(words[1] if len(words) > 1 else "")
        return words[0], tuple(words[1:])

    def _buffered_sentence(self, encoding: str) -> Optional[List[str]]:
        """The words of the sentence at the buffer's read offset (which moves past it), or None
        (the offset unchanged) when the buffer ends before the sentence does."""
        buffer = self._buffer
        end = len(buffer)
        at = self._offset
        words = []
        while True:
            if at >= end:
                return None
            first = buffer[at]
            if first < 0x80:
                length, at = first, at + 1
            elif first >= 0xF0:
                raise ProtocolError("Unknown controll byte %r" % bytes((first,)))
            else:
                # 2, 3 or 4 bytes: the first one's high bits say how many, the rest is the length.
                size = 2 if first < 0xC0 else 3 if first < 0xE0 else 4
                if at + size > end:
                    return None
                length = int.from_bytes(buffer[at : at + size], "big") & _LENGTH_MASKS[size]
                at += size
            if not length:
                self._offset = at
                return words
            if at + length > end:
                return None
            words.append(buffer[at : at + length].decode(encoding, errors="ignore"))
            at += length

    def close(self) -> None:
        self._transport.close()


class Connection:
    """A logged-in API session. Use as a context manager, or call close()."""

    def __init__(self, api: Any, target: str, timeout: Optional[float] = None):
        self._api = api
        self.target = target
        self.timeout = timeout
        self.round_trips = 0

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, LibRouterosError):
            self._api.close()

    def run(self, commands: Sequence[Command], *, raise_on_trap: bool = True) -> List[Result]:
        """Send every command at once, tagged, and collect the answers by tag (one round trip)."""
        if not commands:
            return []
        payload = b"".join(
            encode_sentence(command.path, *command.words(), ".tag=%d" % index, encoding=ENCODING)
            for index, command in enumerate(commands)
        )
        results = [Result() for _command in commands]
        pending = set(range(len(commands)))
        try:
            self._api.protocol.transport.write(payload)
            self.round_trips += 1
            transport = self._api.protocol.transport
            read_sentence = (
                functools.partial(transport.read_sentence, self._api.protocol.encoding)
                if isinstance(transport, _BufferedReads)
                else self._api.protocol.readSentence
            )
            while pending:
                reply, raw_words = read_sentence()
                tag = None
                words: Dict[str, Any] = {}
                for word in raw_words:
                    # librouteros parses `=key=value` words; `.tag=N` is the API's own.
                    if word.startswith("="):
                        key, value = _parsed_word(word)
                        words[key] = value
                    elif word.startswith(".tag="):
                        tag = word[len(".tag=") :]
                try:
                    index = int(tag)
                except (TypeError, ValueError):
                    raise RouterError("router %s answered without a known tag: %s" % (self.target, reply)) from None
                if reply == "!re":
                    results[index].rows.append(words)
                elif reply == "!trap":
                    results[index].trap = words
                elif reply == "!done":
                    if "ret" in words:
                        results[index].ret = str(words["ret"])
                    pending.discard(index)
        except (socket.timeout, TimeoutError):
            waited = "the timeout" if self.timeout is None else "%ss (the timeout option)" % self.timeout
            raise RouterError("router %s did not answer within %s" % (self.target, waited)) from None
        except FatalError as exc:
            raise RouterError("router %s closed the session: %s" % (self.target, exc)) from None
        except (ConnectionClosed, OSError) as exc:
            raise RouterError("router %s dropped the connection: %s" % (self.target, exc)) from None
        if raise_on_trap:
            self._raise_traps(commands, results)
        return results

    def _raise_traps(
        self, commands: Sequence[Command], results: Sequence[Result], absent_ok: Collection[str] = ()
    ) -> None:
        """CommandError for the first trap, but for a command of `absent_ok` in a missing menu."""
        for command, result in zip(commands, results):
            if result.trap is None:
                continue
            message = str(result.trap.get("message", ""))
            if command.path in absent_ok and message.startswith(_NO_SUCH_MENU):
                continue
            category = result.trap.get("category")
            raise CommandError(self.target, command, message, None if category is None else str(category))

    def read(
        self, commands: Sequence[Command], *, absent_ok: Collection[str] = ()
    ) -> List[Optional[List[Dict[str, Any]]]]:
        """The rows of each command, in one round trip. A command whose path is in `absent_ok`
        gives None when the router has no such menu; any other trap raises CommandError."""
        results = self.run(commands, raise_on_trap=False)
        self._raise_traps(commands, results, absent_ok)
        return [None if result.trap is not None else result.rows for result in results]


def connect(params: Mapping[str, Any]) -> Connection:
    """Log in to the router described by the connection options, or raise RouterError."""
    if LIBROUTEROS_IMPORT_ERROR is not None:
        raise RouterError("the librouteros Python library is needed on this host: %s" % LIBROUTEROS_IMPORT_ERROR)
    target = target_of(params)
    kwargs: Dict[str, Any] = dict(
        port=effective_port(params),
        timeout=params.get("timeout") or 10,
        encoding=ENCODING,
    )
    wrapper = _tls_wrapper(params) if params.get("tls", True) else None
    if wrapper is not None:
        kwargs["ssl_wrapper"] = wrapper
    try:
        api = librouteros.connect(params["hostname"], params["username"], params["password"], **kwargs)
    except ssl.SSLCertVerificationError as exc:
        raise RouterError(certificate_problem(target, params, exc)) from None
    except (ssl.SSLError, OSError) as exc:
        if wrapper is None or wrapper.handshake_done or isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
            raise _connect_error(target, params, kwargs["timeout"], exc) from None
        # A plain API port answers a TLS hello with API words or not at all.
        raise UnreachableError(
            "router %s: TLS handshake failed (%s); is %d the router's api-ssl port? "
            "(the plain api port needs tls: false); the password was not sent"
            % (target, _handshake_reason(exc, kwargs["timeout"]), kwargs["port"])
        ) from None
    except (TrapError, ConnectionClosed, FatalError) as exc:
        raise _connect_error(target, params, kwargs["timeout"], exc) from None
    api.protocol.transport = _BufferedReads(api.protocol.transport)
    return Connection(api, target, kwargs["timeout"])


def _handshake_reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "no answer within %ss, the timeout option" % timeout
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc)
    return str(getattr(exc, "strerror", None) or exc)


def _connect_error(target: str, params: Mapping[str, Any], timeout: float, exc: BaseException) -> RouterError:
    """The RouterError for a failure to connect or log in (never holding the password)."""
    if isinstance(exc, ssl.SSLError):
        return UnreachableError("router %s: TLS handshake failed: %s" % (target, exc.reason or exc))
    if isinstance(exc, ConnectionRefusedError):
        return UnreachableError("router %s refused the connection (is the API service enabled?)" % target)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return UnreachableError("router %s did not answer within %ss (the timeout option)" % (target, timeout))
    if isinstance(exc, socket.gaierror):
        return UnreachableError("router %s: cannot resolve the name: %s" % (target, exc.strerror))
    if isinstance(exc, TrapError):
        return RouterError("router %s refused the login of %r: %s" % (target, params["username"], exc.message))
    if isinstance(exc, (ConnectionClosed, FatalError)):
        return RouterError("router %s closed the connection during login: %s" % (target, exc))
    if isinstance(exc, OSError):
        return UnreachableError("router %s: cannot connect: %s" % (target, exc.strerror or exc))
    return RouterError("router %s: cannot connect: %s" % (target, getattr(exc, "strerror", None) or exc))
