"""Theme loader: theme templates fall back to the default theme, file by file.

Themed templates are addressed as ``theme:<name>/<path>``. Relative references
inside a theme (``{% extends "layout.html" %}``) resolve in the same theme, so
a theme overrides only the files it ships. The console is never themed: names
without the prefix come from the package's own templates.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.templating import Environment
from jinja2 import BaseLoader, TemplateNotFound
from jinja2.loaders import split_template_path

PREFIX = "theme:"
DEFAULT_THEME = "default"
TEMPLATE_API_VERSION = 1
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class ThemeInfo:
    """What theme.toml says about a theme."""

    name: str
    version: str
    description: str
    template_api: int
    path: Path


def themes_root(app: Flask) -> Path:
    """Return the folder that holds the themes."""
    return Path(app.config.get("THEMES_DIR") or Path(app.root_path).parent / "themes")


def read_theme(path: Path) -> ThemeInfo:
    """Read a theme folder's theme.toml; raise ValueError naming what is wrong."""
    manifest = path / "theme.toml"
    if not manifest.is_file():
        raise ValueError(f"{path}: theme.toml is missing")
    try:
        data: dict[str, Any] = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{manifest}: {exc}") from exc
    name = str(data.get("name", ""))
    if not _NAME_RE.match(name):
        raise ValueError(f"{manifest}: name must be lowercase letters, digits, - or _")
    api = data.get("template_api")
    if not isinstance(api, int):
        raise ValueError(f"{manifest}: template_api must be an integer")
    return ThemeInfo(
        name=name,
        version=str(data.get("version", "0")),
        description=str(data.get("description", "")),
        template_api=api,
        path=path,
    )


def available_themes(app: Flask) -> dict[str, ThemeInfo]:
    """Return the installed themes by name (folders with a valid theme.toml)."""
    found: dict[str, ThemeInfo] = {}
    root = themes_root(app)
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            info = read_theme(child)
        except ValueError:
            continue
        if info.name == child.name:
            found[info.name] = info
    return found


def is_theme_name(name: object) -> bool:
    """Say whether name is a well-formed theme name (lowercase, digits, - and _)."""
    return isinstance(name, str) and _NAME_RE.match(name) is not None


def safe_theme_name(name: str | None) -> str:
    """Return name if it is a well-formed theme name, else the default."""
    return name if name and _NAME_RE.match(name) else DEFAULT_THEME


class ThemeLoader(BaseLoader):
    """Load ``theme:<name>/<path>`` from that theme, falling back to the default theme."""

    def __init__(self, root_getter: Callable[[], Path]) -> None:
        self._root = root_getter

    def get_source(
        self, environment: Any, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if not template.startswith(PREFIX):
            raise TemplateNotFound(template)
        theme, _, rest = template[len(PREFIX) :].partition("/")
        pieces = split_template_path(rest)  # refuses "..", absolute paths and the like
        root = self._root()
        for candidate in dict.fromkeys([safe_theme_name(theme), DEFAULT_THEME]):
            path = root.joinpath(candidate, "templates", *pieces)
            if path.is_file():
                mtime = path.stat().st_mtime
                source = path.read_text(encoding="utf-8")
                return source, os.fspath(path), lambda p=path, m=mtime: _unchanged(p, m)
        raise TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False


class ThemedEnvironment(Environment):
    """Jinja environment that keeps relative template references inside the theme."""

    def join_path(self, template: str, parent: str) -> str:
        if parent.startswith(PREFIX) and not template.startswith(PREFIX):
            theme = parent[len(PREFIX) :].partition("/")[0]
            return f"{PREFIX}{theme}/{template}"
        return template


def themed(name: str, theme: str) -> str:
    """Return the loader name of a template in the given theme."""
    return f"{PREFIX}{safe_theme_name(theme)}/{name}"
