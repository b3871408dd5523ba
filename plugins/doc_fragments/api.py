# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # How every hairpin.routeros module reaches the router's API. One place, so the modules,
    # the action group `hairpin.routeros.api` and the role all describe the same options.
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - Address or DNS name of the RouterOS device's API.
      - Required unless the module works offline (C(state=rendered) or C(state=parsed) of the NAT modules).
      - With O(tls=true) and O(validate_certs=true) this is also the name checked against the
        router's certificate, so use the name the certificate was issued for.
    type: str
  port:
    description:
      - TCP port of the API service.
      - Defaults to V(8729) (C(api-ssl)) when O(tls=true) and to V(8728) (C(api)) otherwise.
    type: int
  username:
    description:
      - RouterOS user. It needs the C(read), C(write) and C(api) policies.
      - Required unless the module works offline.
    type: str
  password:
    description:
      - Password of O(username). Never logged, never returned, never part of an error message.
      - Required unless the module works offline.
    type: str
  tls:
    description:
      - Talk to the C(api-ssl) service over TLS.
      - Setting V(false) sends the password and every rule in clear text over the network; the
        module then warns. Only do that on a link you trust (a lab, a management VLAN).
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the router's certificate against O(ca_path) (or the system's trust store) and
        check that it was issued for O(hostname).
      - V(false) accepts any certificate, so anybody between you and the router can pose as the
        router and read the password. The module then warns.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the certificate authority that signed the router's API certificate.
      - Needed when the router uses a certificate from your own CA (the usual case for RouterOS).
    type: path
  timeout:
    description:
      - Seconds to wait for the connection and for each answer of the router.
    type: int
    default: 10
requirements:
  - librouteros >= 3.2 on the host that runs the module (usually the controller)
notes:
  - The module talks to the router's API from the host it runs on; use C(connection=local) or
    the default controller execution, no SSH to the router is needed.
  - All options of this fragment can be set once per play with C(module_defaults) and the
    action group C(group/hairpin.routeros.api).
"""
