"""A post's HTML (a card, web.cards.Card) and its buttons, for every page that lists posts:
the templates call `post(card, here)` and `actions(card, here)` (Jinja2 globals, web/jinja.py).

Python rather than a Jinja2 macro for speed: a home timeline calls them twenty times, and
the macros' calls, attribute look-ups and escapes were most of its rendering (0.45 ms of
the page's 0.57 ms; these take about a third of that: bench/README.md, issue 23). The
markup is what the macros made, byte for byte: the accessible names of DESIGN.md section 11
(the `vh` texts, `aria-hidden` icons, the time link) are the contract the browser tests read.

Every text that comes from a person (names, the page's path, image descriptions) goes
through `escape` (the same characters and entities as markupsafe's, which the templates'
autoescape runs, without making a Markup of each piece); numbers are formatted as numbers;
`card.html` is escaped already (web.content.linkify).
"""

from collections.abc import Iterable

from markupsafe import Markup

from web.cards import Card


def escape(value: object) -> str:
    """`value` as HTML text: markupsafe.escape's output, as a plain string."""
    if hasattr(value, "__html__"):  # HTML already (Markup, Django's SafeString)
        return str(value.__html__())
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def _icon(name: str) -> str:
    return f'<svg class="i" aria-hidden="true" focusable="false"><use href="#i-{name}"/></svg>'


_REPLY, _REPOST, _LIKE, _TRASH, _FLAG = (_icon(name) for name in ("reply", "repost", "like", "trash", "flag"))


_SLOT = '<div class="reply-slot"></div>'  # where the reply form opens (hx-target="next .reply-slot")


def _count(n: int) -> str:
    return f'<span class="n" aria-hidden="true">{n}</span>' if n else ""


def actions(card: Card, here: str) -> Markup:
    """The post's buttons: Reply, Repost / Undo repost, Like N / Unlike N, Delete (one's own)
    or Report. They submit the page's shared forms (`act`, `go`) or, with htmx, swap themselves."""
    return Markup(_actions(card, escape(here)))  # noqa: S704  # see _actions


def _actions(card: Card, back: str) -> str:
    """`actions` with the page's path escaped already (`back`); every other text escaped here."""
    i = card.id
    reply = (
        f'<button type="submit" form="go" formaction="{escape(card.url)}#reply" hx-get="/tweets/{i}/reply"'
        ' hx-target="next .reply-slot" hx-swap="innerHTML" class="act act-reply" data-action="reply">'
        f'{_REPLY}<span class="vh">Reply</span>{_count(card.num_replies)}</button>'
    )
    verb, on, label = ("unrepost", " on", "Undo repost") if card.reposted else ("repost", "", "Repost")
    repost = (
        f'<button type="submit" form="act" formaction="/tweets/{i}/{verb}" hx-post="/tweets/{i}/{verb}"'
        f' name="next" value="{back}" class="act act-repost{on}" data-action="repost">'
        f'{_REPOST}<span class="vh">{label}</span>{_count(card.num_reposts)}</button>'
    )
    verb, on, label = ("unlike", " on", "Unlike ") if card.liked else ("like", "", "Like ")
    like = (
        f'<button type="submit" form="act" formaction="/tweets/{i}/{verb}" hx-post="/tweets/{i}/{verb}"'
        f' name="next" value="{back}" class="act act-like{on}" data-action="like">'
        f'{_LIKE}<span class="vh">{label}</span><span class="n{"" if card.num_likes else " vh"}">'
        f"{card.num_likes}</span></button>"
    )
    if card.mine:
        last = (
            f'<button type="submit" form="act" formaction="/tweets/{i}/delete" hx-post="/tweets/{i}/delete"'
            f' hx-target="closest article" name="next" value="{back}" class="act act-delete end"'
            f' data-action="delete">{_TRASH}<span class="vh">Delete</span></button>\n'
        )
    else:
        last = (
            f'<button type="submit" form="go" formaction="/tweets/{i}/report" name="next" value="{back}"'
            f' class="act act-report end" data-action="report">{_FLAG}<span class="vh">Report</span></button>'
        )
    return f'<div class="actions" hx-target="this" hx-swap="outerHTML">\n{reply}\n{repost}\n{like}\n{last}\n</div>'


def _images(card: Card) -> str:
    if not card.images:
        return ""
    shown = []
    for image in card.images:
        size = f' width="{escape(image.width)}" height="{escape(image.height)}"' if image.width else ""
        described = escape(image.description or "Image without a description")
        shown.append(
            f'<a href="{escape(image.url)}" class="image"><img src="{escape(image.preview_url)}"'
            f' alt="{described}"{size} loading="lazy"></a>'
        )
    return f'<div class="images images-{len(card.images)}">{"".join(shown)}</div>'


def posts(cards: Iterable[Card], here: str) -> Markup:
    """The posts of a list, one after the other (one call for the page, not one per post)."""
    back = escape(here)
    return Markup("".join(_post(card, back) for card in cards))  # noqa: S704  # see _post


def post(card: Card, here: str, compact: bool = False, focus: bool = False) -> Markup:
    """One post (see `_post`)."""
    return Markup(_post(card, escape(here), compact, focus))  # noqa: S704  # see _post


def _post(card: Card, back: str, compact: bool = False, focus: bool = False) -> str:
    """A post as an `article`: who (a link named `Display Name @username`), when (a link
    named by its time), whom it answers, the text, the images with their descriptions, and
    (unless `compact`) its buttons and the slot a reply form opens in. `focus`: the post a
    thread is about, its full time shown."""
    username = escape(card.username)
    context = ""
    if card.reposted_by:
        by = escape(card.reposted_by)
        context = f'<p class="context">{_REPOST}<a href="/@{by}">{by}</a> reposted</p>'
    reply_to = ""
    if card.reply_to:
        to = escape(card.reply_to)
        reply_to = f'<p class="reply-to">Replying to <a href="/@{to}">@{to}</a></p>'
    full_time = escape(card.full_time)
    classes = "post" + (" compact" if compact else "") + (" focus" if focus else "")
    return (
        f'<article class="{classes}" data-id="{card.id}" tabindex="-1">\n{context}\n<div class="post-grid">\n'
        f'<span class="avatar tone-{card.tone}" aria-hidden="true">{escape(card.initial)}</span>\n'
        '<div class="post-main">\n'
        f'<header class="post-head"><a class="who" href="/@{username}"><span class="name">{escape(card.name)}</span>'
        f' <span class="handle">@{username}</span></a><span class="dot" aria-hidden="true">\u00b7</span>'
        f'<a class="time" href="{escape(card.url)}" title="{full_time}"><time datetime="{escape(card.iso)}">'
        f"{full_time if focus else escape(card.when)}</time></a></header>\n"
        f'{reply_to}\n<div class="text">{card.html}</div>\n{_images(card)}\n'
        f"{'' if compact else _actions(card, back)}\n</div>\n</div>\n</article>\n"
        f"{'' if compact else _SLOT}"
    )
