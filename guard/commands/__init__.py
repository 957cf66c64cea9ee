"""The ``guard`` subcommands, one module each (see ``guard.cli``)."""
