"""The web-search parser the Elasticsearch backend uses, checked against PostgreSQL's own."""

import pytest
from django.db import connection

from search.websearch import Operand, Query, parse


def test_words_are_anded():
    assert parse("running shoes") == Query(alternatives=((Operand("running"), Operand("shoes")),))


def test_quoted_phrase_and_unclosed_quote():
    assert parse('"red  apple" pie') == Query(alternatives=((Operand("red apple", phrase=True), Operand("pie")),))
    assert parse('"red apple') == Query(alternatives=((Operand("red apple", phrase=True),),))
    assert parse('a"b c"d') == Query(alternatives=((Operand("a"), Operand("b c", phrase=True), Operand("d")),))


def test_or_separates_anded_alternatives_any_case():
    assert parse("cat food OR dog or bird fish") == Query(
        alternatives=((Operand("cat"), Operand("food")), (Operand("dog"),), (Operand("bird"), Operand("fish")))
    )


def test_stray_ors_are_ignored():
    assert parse("or cat or or dog or") == Query(alternatives=((Operand("cat"),), (Operand("dog"),)))


def test_dash_excludes_the_next_operand_but_not_inside_words():
    assert parse('cat -dog -"hot dog" e-mail - bird') == Query(
        alternatives=(
            (
                Operand("cat"),
                Operand("dog", negated=True),
                Operand("hot dog", phrase=True, negated=True),
                Operand("e-mail"),
                Operand("bird", negated=True),
            ),
        )
    )


@pytest.mark.parametrize("q", ["!!!", "-", '""', "- -", "🎉", "(&&)", "or", "OR OR", "-🎉"])
def test_no_searchable_text_gives_an_empty_query(q):
    assert parse(q) == Query()
    assert not parse(q).indexable


def test_stop_words_are_dropped_with_their_empty_alternatives():
    query = parse('the cat or "to be" or -it dog').without_stop_words()
    assert query == Query(alternatives=((Operand("cat"),), (Operand("dog"),)))
    assert not parse("the -dog").without_stop_words().indexable


@pytest.mark.parametrize(
    ("q", "indexable"),
    [
        ("cat", True),
        ("-dog", False),
        ("cat -dog", True),
        ("cat - dog", True),
        ("cat or -dog", False),
        ("-cat -dog", False),
        ("bird cat or -dog", False),
        ("bird -cat or dog", True),
        ('"hot dog" or cat', True),
        ('-"hot dog"', False),
        ("🎉", False),
    ],
)
def test_indexable_matches_postgresql_querytree(db, q, indexable):
    assert parse(q).indexable is indexable
    with connection.cursor() as cursor:
        cursor.execute("SELECT querytree(websearch_to_tsquery('english', %s)) NOT IN ('T', '')", [q])
        assert cursor.fetchone()[0] is indexable
