"""Mentions and hashtags in tweet content: parsed once, when a tweet is written.

The rules (DESIGN.md section 6): `@username` and `#tag` count only when not preceded by
a letter, digit or `_` (so `bob@example.com` and `a#b` do not); a mention names 1-30
username characters; a tag is 1-100 letters, digits or `_` with at least one letter,
lower-cased. A run longer than the limit is neither. Both keep their first appearance
order and appear once.
"""

import re

MENTION_RE = re.compile(r"(?<!\w)@([A-Za-z0-9_]{1,30})(?!\w)")
HASHTAG_RE = re.compile(r"(?<!\w)#(\w{1,100})(?!\w)")
TAG_RE = re.compile(r"\w{1,100}\Z")


def is_valid_tag(tag: str) -> bool:
    """Whether `tag` (without `#`) follows the hashtag rule."""
    return bool(TAG_RE.match(tag)) and any(ch.isalpha() for ch in tag)


def parse_mentions(content: str) -> list[str]:
    """Lower-cased usernames named in `content`, unique, in order of first appearance."""
    return list(dict.fromkeys(match.lower() for match in MENTION_RE.findall(content)))


def parse_hashtags(content: str) -> list[str]:
    """Lower-cased tags in `content`, unique, in order of first appearance."""
    return list(dict.fromkeys(tag.lower() for tag in HASHTAG_RE.findall(content) if is_valid_tag(tag)))
