"""``python -m routeros_sim`` is the ``routeros-sim`` command."""

from .cli import main

raise SystemExit(main())
