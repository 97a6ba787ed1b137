"""``python -m service.cli``: the ``werkbrug`` command line."""

from service.cli import main

main()
