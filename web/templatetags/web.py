"""Template helpers of the web pages."""

from django import template

from web import cards

register = template.Library()


@register.filter
def initial(user: object) -> str:
    """The letter of a user's round picture."""
    return cards.initial(getattr(user, "display_name", "") or "", getattr(user, "username", ""))


@register.filter
def tone(user: object) -> int:
    """The colour (0..7) of a user's round picture."""
    return cards.tone(getattr(user, "username", ""))
