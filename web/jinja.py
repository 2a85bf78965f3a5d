"""The Jinja2 environment of the web pages (config/settings.py, TEMPLATES).

Jinja2 rather than Django's engine for speed: a home timeline of 20 tweets, each with its
buttons and forms, rendered in about a tenth of the time, which is most of what the page
costs beyond GET /api/feed/ (bench/README.md, web_home). Autoescaping is on, as in Django.
"""

from typing import Any

from django.templatetags.static import static
from jinja2 import ChainableUndefined, Environment

from web import cards, posts


def _initial(user: Any) -> str:
    """The letter of a user's round picture."""
    return cards.initial(getattr(user, "display_name", "") or "", getattr(user, "username", ""))


def _tone(user: Any) -> int:
    """The colour (0..7) of a user's round picture."""
    return cards.tone(getattr(user, "username", ""))


def environment(**options: Any) -> Environment:
    # A missing key reads as empty, chained too (`errors.form` when there are no errors).
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals["static"] = static
    # Posts and their buttons (web/posts.py: Python, for speed): `post(card, here)`, `posts(cards, here)`,
    # `actions(card, here)`.
    env.globals["post"] = posts.post
    env.globals["posts"] = posts.posts
    env.globals["actions"] = posts.actions
    env.filters["initial"] = _initial
    env.filters["tone"] = _tone
    return env
