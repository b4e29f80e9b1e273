"""CLI commands kept in their own modules; ``netaudit.cli.COMMAND_MODULES`` lists them.

Each module exposes ``register(app: typer.Typer) -> None`` and, like ``netaudit.cli``, is
allowed to print and to choose exit codes (0/1/2/3 as DESIGN.md says).
"""
