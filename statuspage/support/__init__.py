"""The support view (/support): what is broken now, who is hit, what to tell customers.

Read-only for everyone who may open it (support and above): customers and wording are
edited in the console (/admin). Only GET routes live here.
"""

from flask import Blueprint

bp = Blueprint("support", __name__, url_prefix="/support")

from . import views  # noqa: E402,F401
