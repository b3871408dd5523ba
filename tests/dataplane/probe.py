"""Traffic inside the test namespaces: servers that say whom they saw, clients, a tiny DNS server.
Addresses with a colon are IPv6 (servers and clients), the others IPv4.

Run inside a namespace (``ip netns exec NS python -I -S probe.py ...``); standard library only,
so it starts fast and needs nothing from the virtualenv.

    serve --address A [--address B] --tcp PORT... --udp PORT...
        One TCP and one UDP socket per address and port. Every connection (TCP) or datagram
        (UDP) is answered with JSON {"server": "local-ip:port", "seen": "peer-ip"}: which server
        took it and which source address it saw. Prints one line "ready" once every socket is
        bound (the test waits for it), then serves until killed.
    connect --protocol tcp|udp --to HOST --port PORT [--bind ADDRESS] [--timeout S]
            [--dns SERVER --name NAME]
        One connection; prints JSON {"ok": true, "server": ..., "seen": ...} or
        {"ok": false, "error": ...}. A UDP client is connected, so (like a real application)
        it only accepts a reply from the address it sent to. With --dns, NAME is first resolved
        through SERVER (an A query), and the answer is the destination.
    dns --address A --entry NAME=ADDRESS...
        Answers A queries for the entries (NXDOMAIN otherwise) on udp/53; "ready" as serve.
"""

from __future__ import annotations

import argparse
import json
import selectors
import socket
import struct
import sys


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(addresses: list[str], tcp_ports: list[int], udp_ports: list[int]) -> None:
    selector = selectors.DefaultSelector()
    for address in addresses:
        for port in tcp_ports:
            listener = socket.socket(_family(address), socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((address, port))
            listener.listen(64)
            selector.register(listener, selectors.EVENT_READ, "tcp")
        for port in udp_ports:
            # One socket per address, so a reply leaves from the address the client asked.
            datagram = socket.socket(_family(address), socket.SOCK_DGRAM)
            datagram.bind((address, port))
            selector.register(datagram, selectors.EVENT_READ, "udp")
    print("ready", flush=True)
    while True:
        for key, _events in selector.select():
            sock = key.fileobj
            if key.data == "tcp":
                connection, peer = sock.accept()
                local = connection.getsockname()
                answer = {"server": f"{local[0]}:{local[1]}", "seen": peer[0]}
                try:
                    connection.sendall(json.dumps(answer).encode())
                finally:
                    connection.close()
            else:
                _data, peer = sock.recvfrom(2048)
                local = sock.getsockname()
                sock.sendto(json.dumps({"server": f"{local[0]}:{local[1]}", "seen": peer[0]}).encode(), peer)


def _query(name: str, ident: int = 0x4850) -> bytes:
    header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(part)]) + part.encode("ascii") for part in name.rstrip(".").split("."))
    return header + labels + b"\x00" + struct.pack("!HH", 1, 1)


def _question(packet: bytes) -> tuple[str, int, int]:
    """(name, end offset of the question, qtype) of a DNS query."""
    offset, labels = 12, []
    while packet[offset]:
        length = packet[offset]
        labels.append(packet[offset + 1 : offset + 1 + length].decode("ascii"))
        offset += 1 + length
    qtype, _qclass = struct.unpack("!HH", packet[offset + 1 : offset + 5])
    return ".".join(labels).lower(), offset + 5, qtype


def resolve(server: str, name: str, timeout: float) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((server, 53))
        sock.send(_query(name))
        answer = sock.recv(512)
    flags, _qd, count = struct.unpack("!HHH", answer[2:8])
    if flags & 0x000F or count == 0:
        raise LookupError(f"{name}: no A record (rcode {flags & 0x000F})")
    _name, offset, _qtype = _question(answer)
    # The answer: name pointer (2), type, class, ttl, rdlength (10), then the address.
    return socket.inet_ntoa(answer[offset + 12 : offset + 16])


def dns(address: str, entries: dict[str, str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 53))
        print("ready", flush=True)
        while True:
            query, peer = sock.recvfrom(512)
            try:
                name, end, qtype = _question(query)
            except (IndexError, struct.error, UnicodeDecodeError):
                continue
            found = entries.get(name.rstrip(".")) if qtype == 1 else None
            flags = 0x8180 if found else 0x8183
            header = query[:2] + struct.pack("!HHHHH", flags, 1, 1 if found else 0, 0, 0)
            reply = header + query[12:end]
            if found:
                reply += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(found)
            sock.sendto(reply, peer)


def connect(protocol: str, host: str, port: int, bind: str | None, timeout: float) -> dict[str, object]:
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    with socket.socket(_family(host), kind) as sock:
        sock.settimeout(timeout)
        if bind:
            sock.bind((bind, 0))
        try:
            sock.connect((host, port))
            if protocol == "udp":
                sock.send(b"hello")
            data = sock.recv(2048)
        except OSError as exc:
            return {"ok": False, "error": type(exc).__name__ + ": " + str(exc)}
    if not data:
        return {"ok": False, "error": "closed without an answer"}
    return dict(json.loads(data), ok=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("serve")
    server.add_argument("--address", action="append", required=True)
    server.add_argument("--tcp", type=int, nargs="*", default=[])
    server.add_argument("--udp", type=int, nargs="*", default=[])
    client = commands.add_parser("connect")
    client.add_argument("--protocol", choices=("tcp", "udp"), required=True)
    client.add_argument("--to")
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--bind")
    client.add_argument("--timeout", type=float, default=2.0)
    client.add_argument("--dns")
    client.add_argument("--name")
    resolver = commands.add_parser("dns")
    resolver.add_argument("--address", required=True)
    resolver.add_argument("--entry", action="append", default=[])
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.address, args.tcp, args.udp)
    elif args.command == "dns":
        dns(args.address, dict(entry.lower().split("=", 1) for entry in args.entry))
    else:
        host = args.to
        result: dict[str, object]
        try:
            if args.dns:
                host = resolve(args.dns, args.name, args.timeout)
            result = connect(args.protocol, host, args.port, args.bind, args.timeout)
        except (OSError, LookupError) as exc:
            result = {"ok": False, "error": type(exc).__name__ + ": " + str(exc)}
        result["to"] = host
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
