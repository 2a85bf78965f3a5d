"""A tweet's page (its thread), replying, liking, reposting, deleting and reporting."""

import json
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from moderation import services as moderation_services
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.selectors import thread_ids, tweet_get, tweets_by_ids
from web.cards import tweet_cards
from web.throttles import report_wait
from web.views.base import action, back, field_errors, fragment, here, next_url, page, signed_in, viewer
from web.views.timeline import post_from_form


def tweet_path(tweet: Tweet) -> str:
    return f"/@{tweet.author.username}/{tweet.pk}"


@signed_in
def thread(request: HttpRequest, username: str, tweet_id: str) -> HttpResponse:
    """The tweet, the tweets it replies to above (oldest first), its replies below (thread order)."""
    user = viewer(request)
    tweet = tweet_get(tweet_id=tweet_id, viewer=user)
    if username != tweet.author.username:
        return HttpResponseRedirect(tweet_path(tweet))
    ancestors, descendants = thread_ids(tweet_id=tweet.pk)
    found = tweets_by_ids(ids=ancestors + descendants, viewer=user)
    up = [found[pk] for pk in ancestors if pk in found]
    down = [found[pk] for pk in descendants if pk in found]
    cards = tweet_cards([*up, tweet, *down], viewer=user)  # whom the replies answer: one query for all
    context = {
        "title": f"{tweet.author.display_name or tweet.author.username}: \u201c{tweet.content[:60]}\u201d",
        "ancestors": cards[: len(up)],
        "card": cards[len(up)],
        "replies": cards[len(up) + 1 :],
    }
    return page(request, "web/thread.html", context)


@signed_in
def reply(request: HttpRequest, tweet_id: str) -> HttpResponse:
    """GET: the reply form (htmx puts it under the tweet; without JavaScript, the tweet's page
    has it). POST: reply, then back to the page (htmx: the reply in place of the form)."""
    user = viewer(request)
    parent = tweet_get(tweet_id=tweet_id, viewer=user)
    if request.method != "POST":
        if getattr(request, "htmx", False):
            return fragment(request, "web/_reply_form.html", {"parent": tweet_cards([parent], viewer=user)[0]})
        return HttpResponseRedirect(tweet_path(parent) + "#reply")
    reply = post_from_form(request, in_reply_to=parent)
    if getattr(request, "htmx", False):
        cards = tweet_cards([tweet_get(tweet_id=reply.pk, viewer=user)], viewer=user)
        response = fragment(request, "web/_cards.html", {"cards": cards})
        response["HX-Trigger-After-Swap"] = json.dumps({"chirp:replied": {"id": str(reply.pk)}})
        return response
    return back(request, tweet_path(parent))


def _interaction(service: Callable[..., bool]) -> Callable[..., HttpResponse]:
    """Like, unlike, repost or undo a repost through the tweets service; then the tweet's
    buttons (htmx), or back to the page."""

    @action
    def view(request: HttpRequest, tweet_id: str) -> HttpResponse:
        user = viewer(request)
        tweet = tweet_get(tweet_id=tweet_id, viewer=user)
        service(user=user, tweet=tweet)
        if getattr(request, "htmx", False):
            card = tweet_cards([tweet_get(tweet_id=tweet.pk, viewer=user)], viewer=user)[0]
            return fragment(request, "web/_actions_fragment.html", {"card": card})
        return back(request, tweet_path(tweet))

    return view


like = _interaction(tweet_services.like_create)
unlike = _interaction(tweet_services.like_delete)
repost = _interaction(tweet_services.repost_create)
unrepost = _interaction(tweet_services.repost_delete)


@action
def delete(request: HttpRequest, tweet_id: str) -> HttpResponse:
    user = viewer(request)
    tweet = tweet_get(tweet_id=tweet_id, viewer=user)
    tweet_services.tweet_delete(tweet=tweet, by=user)
    gone = tweet_path(tweet)
    profile = f"/@{user.username}"
    if getattr(request, "htmx", False):
        response = HttpResponse("")  # the article is swapped for nothing
        if here(request).split("?")[0] == gone:
            response["HX-Redirect"] = profile
        return response
    messages.success(request, "Your post was deleted.")
    target = next_url(request, profile)
    return HttpResponseRedirect(profile if target.split("?")[0].split("#")[0] == gone else target)


@signed_in
def report(request: HttpRequest, tweet_id: str) -> HttpResponse:
    """GET: the report form for the tweet. POST: file the report (moderation.services), back to the page."""
    user = viewer(request)
    tweet = tweet_get(tweet_id=tweet_id, viewer=user)
    context = {
        "title": "Report a post",
        "card": tweet_cards([tweet], viewer=user)[0],
        "subject": f"this post by @{tweet.author.username}",
        "action_url": f"/tweets/{tweet.pk}/report",
        "next": next_url(request, tweet_path(tweet)),
    }
    if request.method != "POST":
        return page(request, "web/report.html", context)
    return file_report(request, context, username=None, tweet_id=str(tweet.pk))


def file_report(request: HttpRequest, context: dict, *, username: str | None, tweet_id: str | None) -> HttpResponse:
    """Throttled as the API's reports are (per user); errors shown beside the form."""
    reason = request.POST.get("reason", "")
    context = {**context, "reason": reason}
    wait = report_wait(request)
    if wait is not None:
        errors = {"form": [f"You have sent many reports. Try again in {wait} seconds."]}
        response = page(request, "web/report.html", {**context, "errors": errors}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        moderation_services.report_create(reporter=viewer(request), reason=reason, username=username, tweet_id=tweet_id)
    except ValidationError as exc:
        return page(request, "web/report.html", {**context, "errors": field_errors(exc)}, status=400)
    messages.success(request, "Thank you. Your report was sent to the moderators.")
    return HttpResponseRedirect(context["next"])
