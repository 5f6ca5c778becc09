"""``python -m server``: start the validator service, or run one of the commands (see ``--help``)."""

from .cli import main

main()
