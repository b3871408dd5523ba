"""Menus that create interfaces (VLAN, PPPoE client, WireGuard, wireless, ...) and the DHCP client.

Each item of these menus is an interface too: it gets a twin in ``/interface`` with the RouterOS
``type`` below, so bridge ports, list members, addresses and firewall rules can name it. The
simulator models what the NAT engine needs of them (the name, the interface it runs on, enabled or
not) and keeps every other property as given (``loose``), so a real export loads and exports back.
"""

from __future__ import annotations

from .menu_types import (
    LIST_COMMANDS,
    Menu,
    Prop,
    Unique,
    always,
    flag,
)

__all__ = ["DHCP_CLIENT", "LINK_MENUS", "PORT_MENUS"]

# (menu, the twin's type in /interface, the name RouterOS gives when `add` names none)
_KINDS = (
    ("/interface/vlan", "vlan", "vlan"),
    ("/interface/pppoe-client", "pppoe-out", "pppoe-out"),
    ("/interface/pptp-client", "pptp-out", "pptp-out"),
    ("/interface/l2tp-client", "l2tp-out", "l2tp-out"),
    ("/interface/sstp-client", "sstp-out", "sstp-out"),
    ("/interface/ovpn-client", "ovpn-out", "ovpn-out"),
    ("/interface/lte", "lte", "lte"),
    ("/interface/wireguard", "wg", "wireguard"),
    ("/interface/bonding", "bond", "bonding"),
    ("/interface/wireless", "wlan", "wlan"),
    ("/interface/wifi", "wifi", "wifi"),
    ("/interface/wifiwave2", "wifiwave2", "wifi"),
    ("/interface/eoip", "eoip", "eoip-tunnel"),
    ("/interface/eoipv6", "eoipv6", "eoipv6-tunnel"),
    ("/interface/gre", "gre-tunnel", "gre-tunnel"),
    ("/interface/gre6", "gre6-tunnel", "gre6-tunnel"),
    ("/interface/ipip", "ipip-tunnel", "ipip-tunnel"),
    ("/interface/ipipv6", "ipipv6-tunnel", "ipipv6-tunnel"),
    ("/interface/6to4", "6to4-tunnel", "sit"),
    ("/interface/vxlan", "vxlan", "vxlan"),
    ("/interface/vrrp", "vrrp", "vrrp"),
    ("/interface/macvlan", "macvlan", "macvlan"),
    ("/interface/veth", "veth", "veth"),
    ("/interface/pwr-line", "pwr-line", "pwr-line"),
    ("/interface/w60g", "w60g", "wlan60-"),
)

#: Menus whose built-in items come with the hardware (``set [ find default-name=wlan1 ]``), by port prefix.
PORT_MENUS = {
    "wlan": "/interface/wireless",
    "wifi": "/interface/wifi",
    "lte": "/interface/lte",
    "pwr-line": "/interface/pwr-line",
}


# Created disabled unless `add` says otherwise (exports write `disabled=no` for these).
_OFF_BY_DEFAULT = frozenset(
    {
        "/interface/pppoe-client",
        "/interface/pptp-client",
        "/interface/l2tp-client",
        "/interface/sstp-client",
        "/interface/ovpn-client",
        "/interface/wireless",
        "/interface/wifi",
        "/interface/wifiwave2",
    }
)


def _link_menu(path: str, kind: str) -> Menu:
    return Menu(
        path,
        commands=LIST_COMMANDS,
        named=True,
        loose=True,
        interface_type=kind,
        unique=(Unique(("name",), "failure: already have interface with such name", static_only=False),),
        props=(
            Prop("name", "name"),
            Prop("interface", "name", refers="/interface"),
            flag("running", "true"),
            flag("dynamic"),
            always("disabled", "bool", "true" if path in _OFF_BY_DEFAULT else "false"),
            Prop("comment", "str"),
        ),
    )


#: Every interface-creating menu above, with the prefix of the names ``add`` hands out.
LINK_MENUS: dict[str, tuple[Menu, str]] = {path: (_link_menu(path, kind), prefix) for path, kind, prefix in _KINDS}

DHCP_CLIENT = Menu(
    "/ip/dhcp-client",
    commands=LIST_COMMANDS,
    loose=True,
    unique=(Unique(("interface",), "failure: dhcp-client already exists on this interface"),),
    props=(
        Prop("interface", "name", required=True, refers="/interface"),
        Prop("status", read_only=True, computed=True),
        Prop("address", read_only=True, computed=True),
        Prop("gateway", read_only=True, computed=True),
        flag("invalid", computed=True),
        flag("dynamic"),
        # RouterOS 6 adds a DHCP client disabled (its exports write `disabled=no`); 7 enabled.
        always("disabled", "bool", "true", until="7.0"),
        always("disabled", "bool", "false", since="7.0"),
        Prop("comment", "str"),
    ),
)
