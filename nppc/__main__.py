"""``python -m nppc``: the ``nppc`` command line."""
from nppc.cli import main

raise SystemExit(main())
