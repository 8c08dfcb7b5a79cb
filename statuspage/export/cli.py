"""`statuspage export DIR`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--base-url",
    default=None,
    help="Public address for absolute links in feeds and the API (default: BASE_URL).",
)
def export_command(directory: Path, base_url: str | None) -> None:
    """Write the public site (pages, API v2, feeds, badges, assets) into DIRECTORY."""
    from .services import ExportError, export_site

    try:
        result = export_site(directory, base_url=base_url)
    except ExportError as exc:
        raise click.ClickException(f"export failed, {directory} is unchanged: {exc}") from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"Exported {result.files} files ({result.bytes} bytes) to {result.target}"
        f" in {', '.join(result.languages)}."
    )
