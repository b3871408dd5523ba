"""Hardware: which built-in ports a RouterBOARD model has, read from an export's ``# model =`` header.

A real export only ``set``s built-in ports (``/interface ethernet set [ find default-name=ether1 ]``),
so loading one needs the model's ports first. Known model codes come from the table below; other
codes are read by MikroTik's naming scheme (``CCR2004-16G-2S+``: 16 gigabit ports, 2 SFP+ cages,
``5HacD2HnD``: two radios); for a model neither explains, the ports are the ones the export names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "DEFAULT_PORTS",
    "board_name",
    "header_model",
    "is_port_name",
    "ports_for_model",
    "radios_as_named",
    "referenced_ports",
]

#: The ports of ``Router.empty()`` when no model is given.
DEFAULT_PORTS = ("ether1", "ether2", "ether3", "ether4", "ether5")


def _numbered(prefix: str, count: int, first: int = 1) -> list[str]:
    return [f"{prefix}{number}" for number in range(first, first + count)]


def _ports(
    ether: int = 0, sfp: int = 0, sfpplus: int = 0, wlan: int = 0, wifi: int = 0, lte: int = 0
) -> tuple[str, ...]:
    names = _numbered("ether", ether) + _numbered("sfp", sfp) + _numbered("sfp-sfpplus", sfpplus)
    return tuple(names + _numbered("wlan", wlan) + _numbered("wifi", wifi) + _numbered("lte", lte))


# Model code (as the header writes it, without "RouterBOARD "/"RB") -> (marketing name, ports).
_KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "5009UG+S+": ("RB5009UG+S+", _ports(ether=8, sfpplus=1)),
    "5009UPr+S+": ("RB5009UPr+S+", _ports(ether=8, sfpplus=1)),
    "4011iGS+": ("RB4011iGS+", _ports(ether=10, sfpplus=1)),
    "4011iGS+5HacQ2HnD": ("RB4011iGS+5HacQ2HnD", _ports(ether=10, sfpplus=1, wlan=2)),
    "3011UiAS": ("RB3011UiAS", _ports(ether=10, sfp=1)),
    "2011UiAS": ("RB2011UiAS", _ports(ether=10, sfp=1)),
    "2011UiAS-2HnD": ("RB2011UiAS-2HnD", _ports(ether=10, sfp=1, wlan=1)),
    "2011iL": ("RB2011iL", _ports(ether=10)),
    "750Gr3": ("hEX", _ports(ether=5)),
    "750G": ("RB750G", _ports(ether=5)),
    "750Gr2": ("hEX", _ports(ether=5)),
    "760iGS": ("hEX S", _ports(ether=5, sfp=1)),
    "960PGS": ("hEX PoE", _ports(ether=5, sfp=1)),
    "E50UG": ("hEX", _ports(ether=5)),
    "L009UiGS": ("L009UiGS", _ports(ether=8, sfp=1)),
    "L009UiGS-2HaxD": ("L009UiGS-2HaxD", _ports(ether=8, sfp=1, wifi=1)),
    "D53iG-5HacD2HnD": ("hAP ac^3", _ports(ether=5, wlan=2)),
    "cAPGi-5acD2nD": ("cAP ac", _ports(ether=2, wlan=2)),
    "1100x4": ("RB1100Dx4", _ports(ether=13)),
    "D52G-5HacD2HnD": ("hAP ac^2", _ports(ether=5, wlan=2)),
    "D52G-5HacD2HnD-TC": ("hAP ac^2", _ports(ether=5, wlan=2)),
    "962UiGS-5HacT2HnT": ("hAP ac", _ports(ether=5, sfp=1, wlan=2)),
    "952Ui-5ac2nD": ("hAP ac lite", _ports(ether=5, wlan=2)),
    "951Ui-2HnD": ("RB951Ui-2HnD", _ports(ether=5, wlan=1)),
    "951G-2HnD": ("RB951G-2HnD", _ports(ether=5, wlan=1)),
    "941-2nD": ("hAP lite", _ports(ether=4, wlan=1)),
    "C52iG-5HaxD2HaxD": ("hAP ax^2", _ports(ether=5, wifi=2)),
    "C53UiG+5HPaxD2HPaxD": ("hAP ax^3", _ports(ether=5, wifi=2)),
    "L41G-2axD": ("hAP ax lite", _ports(ether=4, wifi=1)),
    "D53G-5HacD2HnD": ("Chateau", _ports(ether=5, wlan=2, lte=1)),
    "S53UG+5HaxD2HaxD": ("Chateau ax", _ports(ether=5, wifi=2, lte=1)),
    "912R-2nD": ("LtAP mini", _ports(ether=1, wlan=1, lte=1)),
    "912R-2nD-LTm": ("LtAP mini LTE kit", _ports(ether=1, wlan=1, lte=1)),
    "LtAP-2HnD": ("LtAP", _ports(ether=1, sfp=1, wlan=1, lte=1)),
    "PL7411-2nD": ("PWR-LINE AP", ("ether1", "pwr-line1", "wlan1")),
    "PL6411-2nD": ("PWR-LINE AP", ("ether1", "pwr-line1", "wlan1")),
    "PL7400": ("PWR-LINE PRO", ("ether1", "pwr-line1")),
    "1100AHx4": ("RB1100AHx4", _ports(ether=13)),
    "CCR2004-1G-12S+2XS": ("CCR2004-1G-12S+2XS", (*_ports(ether=1, sfpplus=12), "sfp28-1", "sfp28-2")),
}

_RADIO = re.compile(r"[25]H?(?:P)?(?:n|ac|ax)[A-Z]?")
_PORT_NAME = re.compile(
    r"(?:ether|sfp-sfpplus|sfp28-|sfp|combo|qsfp28-\d+-|qsfpplus\d+-|wlan|wifi|lte|pwr-line)[1-9][0-9]*"
)
_HEADER_MODEL = re.compile(r"^# model = (.+?)\s*$", re.MULTILINE)


def _code(model: str) -> str:
    code = model.strip()
    code = re.sub(r"^(?:RouterBOARD|RouterBoard)\s*", "", code)
    return re.sub(r"^RB(?=\d|[A-Z]\d|LtAP)", "", code).replace(" ", "")


def _by_name_scheme(code: str) -> tuple[str, ...] | None:
    """Ports read from a code such as ``CCR2004-16G-2S+`` or ``CRS326-24G-2S+RM``; None if it says nothing."""
    ether = sfp = sfpplus = combo = sfp28 = wlan = wifi = 0
    for part in code.split("-")[1:]:
        counts = re.fullmatch(r"(\d+)(G|P|S\+|S|C|XS)(?:\+?RM|RM|IN|OUT)?", part)
        if counts:
            number, kind = int(counts.group(1)), counts.group(2)
            if kind in ("G", "P"):
                ether += number
            elif kind == "S+":
                sfpplus += number
            elif kind == "S":
                sfp += number
            elif kind == "C":
                combo += number
            else:
                sfp28 += number
            continue
        for radio in _RADIO.findall(part):
            if "ax" in radio:
                wifi += 1
            else:
                wlan += 1
    if not (ether or sfp or sfpplus or combo or sfp28):
        return None
    names = _numbered("ether", ether) + _numbered("combo", combo) + _numbered("sfp", sfp)
    names += _numbered("sfp-sfpplus", sfpplus) + [f"sfp28-{n}" for n in range(1, sfp28 + 1)]
    return tuple(names + _numbered("wlan", wlan) + _numbered("wifi", wifi))


def ports_for_model(model: str) -> tuple[str, ...] | None:
    """The built-in ports of ``model`` (``# model =`` text), in RouterOS's order; None for an unknown model."""
    code = _code(model)
    known = _KNOWN.get(code) or _KNOWN.get(re.sub(r"-?(?:RM|IN|OUT)$", "", code))
    if known is not None:
        return known[1]
    return _by_name_scheme(code)


def board_name(model: str) -> str:
    """``/system routerboard board-name`` for ``model``: the marketing name where known."""
    code = _code(model)
    known = _KNOWN.get(code) or _KNOWN.get(re.sub(r"-?(?:RM|IN|OUT)$", "", code))
    return known[0] if known is not None else model.strip()


def radios_as_named(ports: tuple[str, ...], text: str) -> tuple[str, ...]:
    """``ports`` with the radios named as the export names them: an 802.11ac board runs either the
    ``wireless`` package (wlan1) or, on RouterOS 7, ``wifi-qcom-ac`` (wifi1); the export tells which."""
    wifi, wlan = re.search(r"\bwifi\d", text) is not None, re.search(r"\bwlan\d", text) is not None
    if wifi and not wlan:
        return tuple(re.sub(r"^wlan(\d+)$", r"wifi\1", port) for port in ports)
    return ports


def header_model(text: str) -> str | None:
    """The model an export's header names (``# model = RB5009UG+S+``), if any."""
    match = _HEADER_MODEL.search(text)
    return match.group(1) if match else None


def is_port_name(name: str) -> bool:
    """True for the name of a built-in port (``ether7``, ``sfp-sfpplus12``, ``wlan2``, ``pwr-line1``)."""
    return _PORT_NAME.fullmatch(name) is not None


def referenced_ports(values: Iterable[str], created: Iterable[str] = ()) -> list[str]:
    """Port names among ``values`` (script words), minus those the script creates itself, in first-seen order."""
    made = set(created)
    found: list[str] = []
    for value in values:
        for part in value.removeprefix("!").split(","):
            if is_port_name(part) and part not in made and part not in found:
                found.append(part)
    return sorted(found, key=_port_order)


_PORT_KINDS = ("ether", "combo", "sfp", "sfp-sfpplus", "sfp28-", "qsfp", "wlan", "wifi", "lte", "pwr-line")


def _port_order(name: str) -> tuple[int, str, int]:
    prefix = re.match(r"[a-z-]+(?:\d+-)?", name)
    head = prefix.group() if prefix else name
    kind = next(
        (i for i, k in enumerate(_PORT_KINDS) if head == k or (head.startswith(k) and k == "qsfp")), len(_PORT_KINDS)
    )
    digits = re.search(r"(\d+)$", name)
    return kind, head, int(digits.group(1)) if digits else 0
