"""Theme loading and theme static files."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, send_from_directory
from flask.typing import ResponseReturnValue
from jinja2 import BaseLoader, ChoiceLoader
from werkzeug.security import safe_join

from .loader import DEFAULT_THEME, ThemeLoader, safe_theme_name, themes_root


def init_themes(app: Flask) -> None:
    """Put the theme loader in front of the package templates and serve theme static files."""
    root = themes_root(app)
    loaders: list[BaseLoader] = [ThemeLoader(lambda: root)]
    if app.jinja_loader is not None:
        loaders.append(app.jinja_loader)
    app.jinja_loader = ChoiceLoader(loaders)

    def theme_static(theme: str, filename: str) -> ResponseReturnValue:
        for candidate in dict.fromkeys([safe_theme_name(theme), DEFAULT_THEME]):
            folder = root / candidate / "static"
            joined = safe_join(str(folder), filename)
            if joined is not None and Path(joined).is_file():
                return send_from_directory(folder, filename, max_age=3600)
        abort(404)

    app.add_url_rule("/themes/<theme>/static/<path:filename>", "theme_static", theme_static)
