"""Run the command line: ``python -m geo <command>`` (see `geo.cli`)."""

import sys

from geo.cli.main import main

sys.exit(main())
