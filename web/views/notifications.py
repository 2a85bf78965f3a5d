"""`/notifications`: newest first, in words, with the tweet concerned; opening the page marks them read."""

from django.http import HttpRequest, HttpResponse

from notifications import selectors, services
from web.cards import tweet_cards
from web.views.base import PAGE_SIZE, fragment, more_url, offset_param, page, signed_in, viewer

# What each type says after the actor's name (DESIGN.md section 11).
WORDS = {
    "follow": "followed you",
    "like": "liked your tweet",
    "repost": "reposted your tweet",
    "reply": "replied to your tweet",
    "mention": "mentioned you",
}


@signed_in
def notifications(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    offset = offset_param(request)
    count, rows = selectors.notification_page(viewer=user, limit=PAGE_SIZE, offset=offset)
    if rows and offset == 0:
        # Seen: read up to the newest shown (one that arrives meanwhile stays unread).
        services.mark_read(user=user, up_to=rows[0].pk)
    cards = iter(tweet_cards([row.tweet for row in rows if row.tweet is not None], viewer=user))
    items = [
        {
            "row": row,
            "words": WORDS.get(row.type, row.type),
            "card": next(cards) if row.tweet is not None else None,
        }
        for row in rows
    ]
    more = more_url("/notifications", offset, offset + PAGE_SIZE < count)
    if getattr(request, "htmx", False) and offset:
        return fragment(request, "web/_notifications_more.html", {"items": items, "more": more})
    context = {"title": "Notifications", "nav": "notifications", "items": items, "more": more}
    return page(request, "web/notifications.html", context)
