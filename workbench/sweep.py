"""Parameter sweeps on Dask (placeholder until the sweep module lands)."""


def add_cli_commands(sub):
    """Register ``workbench sweep`` and ``workbench collect`` on the CLI's subparsers."""
    return None
