"""Fixtures for the public pages: pages parsed into an HTML tree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..htmltree import Node, parse


@pytest.fixture
def html() -> Callable[[str | bytes], Node]:
    """Parse markup into a Node tree: html(response.data).find(cls="component")."""
    return parse


@pytest.fixture
def get_page(client: Any) -> Callable[..., Node]:
    """GET a public page, check it is a 200 HTML page, return its Node tree."""

    def fetch(path: str = "/") -> Node:
        response = client.get(path)
        assert response.status_code == 200, response.data[:500]
        assert response.mimetype == "text/html"
        return parse(response.data)

    return fetch
