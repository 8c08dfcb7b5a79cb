"""Validate a theme folder before it is installed (`statuspage themes check DIR`)."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateSyntaxError

from .loader import DEFAULT_THEME, TEMPLATE_API_VERSION, is_theme_name

# Characters a template or static path may hold: anything else could mean a different
# file on another system (backslashes on Windows, control characters in logs).
_SAFE_PART = re.compile(r"^[A-Za-z0-9._@+-]+$")


def _manifest_problems(folder: Path) -> list[str]:
    manifest = folder / "theme.toml"
    if not manifest.is_file():
        return ["theme.toml: missing"]
    try:
        data: dict[str, Any] = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [f"theme.toml: not valid TOML: {exc}"]
    problems = []
    name = data.get("name")
    if not isinstance(name, str) or not is_theme_name(name):
        problems.append(
            "theme.toml: name must be 1-64 lowercase letters, digits, - or _, "
            "starting with a letter or digit"
        )
    elif name != folder.name:
        problems.append(f"theme.toml: name {name!r} differs from the folder name {folder.name!r}")
    if not isinstance(data.get("version"), str) or not data["version"].strip():
        problems.append('theme.toml: version must be a non-empty string, like "1.0.0"')
    if not isinstance(data.get("description"), str):
        problems.append("theme.toml: description must be a string")
    api = data.get("template_api")
    if not isinstance(api, int) or isinstance(api, bool):
        problems.append("theme.toml: template_api must be an integer")
    elif api != TEMPLATE_API_VERSION:
        problems.append(
            f"theme.toml: template_api {api} is not supported "
            f"(this version renders template_api {TEMPLATE_API_VERSION})"
        )
    return problems


def _walk(folder: Path) -> tuple[list[Path], list[str]]:
    """Return the regular files inside folder and the problems with its paths."""
    files: list[Path] = []
    problems: list[str] = []
    root = folder.resolve()
    for current, dirs, names in os.walk(folder, followlinks=False):
        here = Path(current)
        for entry in sorted(dirs + names):
            path = here / entry
            relative = path.relative_to(folder).as_posix()
            if not _SAFE_PART.match(entry) or entry in {".", ".."}:
                problems.append(f"{relative}: unsafe file name (use letters, digits, . _ - @ +)")
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    problems.append(f"{relative}: symlink leaves the theme folder (to {target})")
                    continue
            if entry in names and path.is_file():
                files.append(path)
        # A symlinked folder inside the theme was checked above; do not descend twice.
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return files, problems


def _template_names(templates: Path) -> set[str]:
    if not templates.is_dir():
        return set()
    return {
        p.relative_to(templates).as_posix()
        for p in templates.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def check_theme(folder: Path, themes_root: Path, env: Environment) -> list[str]:
    """Return one line per problem with the theme in folder ([] when it is fine)."""
    if not folder.is_dir():
        return [f"{folder}: not a folder"]
    problems = _manifest_problems(folder)
    files, path_problems = _walk(folder)
    problems += path_problems
    templates = folder / "templates"
    known = _template_names(themes_root / DEFAULT_THEME / "templates")
    is_default = folder.resolve() == (themes_root / DEFAULT_THEME).resolve()
    for path in files:
        if not path.is_relative_to(templates):
            continue
        name = path.relative_to(templates).as_posix()
        if not is_default and name not in known:
            problems.append(
                f"templates/{name}: not a template of the default theme, so nothing renders it"
            )
            continue
        try:
            env.parse(path.read_text(encoding="utf-8"), name, str(path))
        except TemplateSyntaxError as exc:
            problems.append(f"templates/{name}:{exc.lineno}: template syntax error: {exc.message}")
        except UnicodeDecodeError:
            problems.append(f"templates/{name}: not UTF-8 text")
    return problems
