"""Session cookies: the signed-cookie session, left out of responses meant for other sites."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import g
from flask.sessions import SecureCookieSessionInterface, SessionMixin

if TYPE_CHECKING:
    from flask import Flask, Response


class StatusPageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session that never writes a cookie on a cookieless request."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save the session as Flask does, unless the request was marked cookieless."""
        # A signed-in staff member's permanent session is refreshed on every response;
        # widgets embedded on customers' sites must set no cookie at all.
        if g.get("cookieless"):
            return
        super().save_session(app, session, response)


def mark_cookieless() -> None:
    """Keep this request's response free of Set-Cookie (and of Vary: Cookie)."""
    g.cookieless = True
