"""Load Apprise once, quietly, for the senders and the target checks."""

from __future__ import annotations

import functools
import warnings
from types import ModuleType


@functools.cache
def load_apprise() -> ModuleType:
    """Import Apprise and load its plugins once (they load lazily, on the first URL)."""
    with warnings.catch_warnings():
        # An Apprise plugin imports a module Python deprecates (imghdr): not ours to fix,
        # and loading the plugins up front keeps the warning from reaching callers later.
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise
        from apprise.manager_plugins import NotificationManager

        NotificationManager().load_modules()
    return apprise
