"""routeros-sim: a RouterOS API simulator (binary API, plain and API-SSL) over a NAT-centric model.

Layers (see ``sim/DESIGN.md``): ``protocol`` (wire format), ``server`` (sessions, listeners, test
hooks), ``certs`` (test CA), ``router``/``schema`` (the model), ``rsc``/``state`` (scripts and
persistence), ``cli`` (the ``routeros-sim`` command).
"""

__version__ = "0.1.0"
