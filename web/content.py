"""Tweet text as HTML: escaped, with mentions, hashtags and web addresses as links.

What counts as a mention or a hashtag is the tweets app's rule (tweets.parsing): a mention
is a link only when the tweet object names that user in its `mentions` (an existing,
active user when it was written), a hashtag when it follows the tag rule. Every other
character is escaped, so `<script>` in a tweet shows as text.
"""

import re
from collections.abc import Iterable
from html import escape  # what django.utils.html.escape runs, without its lazy-string wrapper (a page calls it often)

from django.utils.safestring import SafeString, mark_safe

from tweets.parsing import HASHTAG_RE, MENTION_RE, is_valid_tag

# One pass over the text: whichever of a web address, a mention or a hashtag comes first.
_TOKEN_RE = re.compile(
    rf"(?P<url>\bhttps?://[^\s<>\"']+)|(?P<mention>{MENTION_RE.pattern})|(?P<tag>{HASHTAG_RE.pattern})"
)
# Punctuation that ends a sentence rather than the address: "see https://example.com."
_URL_TAIL = ".,;:!?'\""
_URL_SHOWN = 40


def _url_link(url: str) -> tuple[str, str]:
    """(link HTML, the trailing punctuation left out of it)."""
    tail = ""
    while url and (url[-1] in _URL_TAIL or (url[-1] == ")" and url.count(")") > url.count("("))):
        tail = url[-1] + tail
        url = url[:-1]
    shown = url.split("://", 1)[1]
    if len(shown) > _URL_SHOWN:
        shown = shown[: _URL_SHOWN - 1] + "\u2026"
    return f'<a href="{escape(url)}" rel="nofollow noopener ugc" class="ext">{escape(shown)}</a>', tail


def linkify(text: str, mentioned: Iterable[str]) -> SafeString:
    """`text` escaped, with links: mentions of `mentioned` usernames (any case) to their
    profile, valid hashtags to their page, http(s) addresses to themselves."""
    if "@" not in text and "#" not in text and "http" not in text:
        # Nothing the pattern could match (each kind needs one of these): spare the scan,
        # which costs more than the escaping (a page has twenty texts).
        return mark_safe(escape(text))  # noqa: S308  # escaped
    names = {name.lower() for name in mentioned}
    out: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        out.append(escape(text[last:start]))
        last = end
        token = match.group()
        if match.group("url"):
            link, tail = _url_link(token)
            out.append(link + escape(tail))
        elif match.group("mention"):
            name = token[1:]
            if name.lower() in names:
                out.append(f'<a href="/@{escape(name)}" class="mention">@{escape(name)}</a>')
            else:
                out.append(escape(token))
        else:
            tag = token[1:]
            if is_valid_tag(tag):
                out.append(f'<a href="/tags/{escape(tag.lower())}" class="tag">#{escape(tag)}</a>')
            else:
                out.append(escape(token))
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308  # every piece above is escaped
