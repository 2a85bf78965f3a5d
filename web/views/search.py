"""`/search?q=`: people and tweets, through the search app (either backend); `/tags/{tag}`."""

from django.http import HttpRequest, HttpResponse

from accounts.selectors import relationships
from search import selectors as search_selectors
from search.api.serializers import SearchQueryInput
from tweets.selectors import hashtag_tweets, trending_hashtags
from web.cards import tweet_cards
from web.views.base import PAGE_SIZE, fragment, more_url, offset_param, page, signed_in, viewer

PEOPLE_SHOWN = 5


@signed_in
def search(request: HttpRequest) -> HttpResponse:
    """Without `q`: the search box and what is trending. With it: matching people, then tweets
    (by relevance, 20 a page); `q` is judged as the API judges it (1..100 characters once trimmed)."""
    user = viewer(request)
    raw = request.GET.get("q", "")
    context: dict = {"title": "Search", "nav": "search", "q": raw}
    if not raw.strip():
        context["trending"] = trending_hashtags()
        return page(request, "web/search.html", context)
    data = SearchQueryInput(data={"q": raw})
    if not data.is_valid():
        context["errors"] = [str(message) for messages in data.errors.values() for message in messages]
        return page(request, "web/search.html", context, status=400)
    q = data.validated_data["q"]
    offset = offset_param(request)
    total, tweets = search_selectors.search_tweets(q=q, viewer=user, limit=PAGE_SIZE, offset=offset)
    more = more_url("/search", offset, offset + PAGE_SIZE < total, q=q)
    cards = tweet_cards(tweets, viewer=user)
    if getattr(request, "htmx", False) and offset:
        return fragment(request, "web/_cards_more.html", {"cards": cards, "more": more})
    people: list = []
    if offset == 0:
        _total, users = search_selectors.search_users(q=q, viewer=user, limit=PEOPLE_SHOWN, offset=0)
        relations = relationships(viewer=user, user_ids=[person.pk for person in users])
        people = [(person, relations.get(person.pk)) for person in users]
    context.update(
        title=f"{q} \u2013 Search",
        searched=q,
        people=people,
        cards=cards,
        tweets_total=total,
        more=more,
    )
    return page(request, "web/search.html", context)


@signed_in
def tag(request: HttpRequest, tag: str) -> HttpResponse:
    """Tweets with the tag, newest first; a tag that breaks the rule is a 404 (the selector's)."""
    user = viewer(request)
    offset = offset_param(request)
    tweets = list(hashtag_tweets(tag=tag, viewer=user)[offset : offset + PAGE_SIZE + 1])
    more = more_url(f"/tags/{tag.lower()}", offset, len(tweets) > PAGE_SIZE)
    cards = tweet_cards(tweets[:PAGE_SIZE], viewer=user)
    if getattr(request, "htmx", False) and offset:
        return fragment(request, "web/_cards_more.html", {"cards": cards, "more": more})
    context = {"title": f"#{tag.lower()}", "tag": tag.lower(), "cards": cards, "more": more}
    return page(request, "web/tag.html", context)
