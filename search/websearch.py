"""Web-search syntax (PostgreSQL's websearch_to_tsquery rules), parsed for Elasticsearch.

PostgreSQL parses `q` itself; this module gives the Elasticsearch backend the same
language, so a query means the same thing whichever backend answers it:

- words are ANDed;                              running shoes
- "quoted text" is a phrase;                    "red apple"
- `or` separates alternatives, each ANDed:      cat food or dog food = (cat AND food) OR (dog AND food)
- a dash excludes the next operand;             cat -dog, -"hot dog"
- other punctuation carries no syntax (Lucene's + ~ * : ( ) are plain text).

`Query.indexable` mirrors PostgreSQL's querytree(): a query whose alternative is made of
exclusions only (`-dog`, `cat or -dog`) would match almost every tweet by scanning them
all, so both backends answer it with no results instead.
"""

import re
from dataclasses import dataclass, field

# Lucene's English stop words (Elasticsearch's `english` analyzer, `_english_`).
# fmt: off
ENGLISH_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with",
})
# fmt: on
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Operand:
    text: str
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Query:
    # A disjunction of conjunctions: ((a, b), (c,)) means (a AND b) OR c.
    alternatives: tuple[tuple[Operand, ...], ...] = field(default_factory=tuple)

    @property
    def indexable(self) -> bool:
        """OR needs every side to restrict, AND one of its operands, NOT never restricts."""
        return bool(self.alternatives) and all(
            any(not operand.negated for operand in alternative) for alternative in self.alternatives
        )

    def without_stop_words(self, stop_words: frozenset[str] = ENGLISH_STOP_WORDS) -> "Query":
        """Drop operands made only of stop words, as the analyzer would (then empty alternatives)."""
        alternatives = []
        for alternative in self.alternatives:
            kept = tuple(op for op in alternative if any(w.lower() not in stop_words for w in _WORD.findall(op.text)))
            if kept:
                alternatives.append(kept)
        return Query(alternatives=tuple(alternatives))


def _is_searchable(text: str) -> bool:
    # PostgreSQL's parser drops tokens with no letter or digit (punctuation, most emoji).
    return any(ch.isalnum() for ch in text)


def parse(q: str) -> Query:
    """Parse `q`; never raises: any string is a (possibly empty) query."""
    alternatives: list[list[Operand]] = [[]]
    negated = False
    i, n = 0, len(q)
    while i < n:
        char = q[i]
        if char.isspace():
            i += 1
            continue
        if char == "-":
            negated = True  # applies to the next operand, even after a space ("cat - dog")
            i += 1
            continue
        if char == '"':
            end = q.find('"', i + 1)
            end = n if end == -1 else end
            text, phrase = " ".join(q[i + 1 : end].split()), True
            i = end + 1
        else:
            end = i
            while end < n and not q[end].isspace() and q[end] != '"':
                end += 1
            text, phrase = q[i:end], False
            i = end
            if not negated and text.lower() == "or":
                if alternatives[-1]:
                    alternatives.append([])
                continue
        if _is_searchable(text):
            alternatives[-1].append(Operand(text=text, phrase=phrase, negated=negated))
        negated = False
    return Query(alternatives=tuple(tuple(alt) for alt in alternatives if alt))
