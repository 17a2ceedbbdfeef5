#!/usr/bin/env python
"""Django's command-line utility; an installed Renda offers the same as the `renda` command."""

from renda.cli import main

if __name__ == "__main__":
    main()
