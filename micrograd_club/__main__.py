"""``python -m micrograd_club``: the same as the ``micrograd-club`` command."""

import sys

from micrograd_club.cli import main

if __name__ == "__main__":
    sys.exit(main())
