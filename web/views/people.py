"""Profiles, who follows whom, and what one does to another account: follow, mute, block, report."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import User
from tweets.selectors import user_tweets
from web.cards import tweet_cards
from web.views.base import (
    PAGE_SIZE,
    action,
    back,
    fragment,
    more_url,
    next_url,
    offset_param,
    page,
    signed_in,
    viewer,
)
from web.views.tweets import file_report


def _profile_context(user: User, relationship: dict[str, bool] | None) -> dict:
    return {"user": user, "relationship": relationship, "is_me": relationship is None}


@signed_in
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """Their name, bio and counts, what one may do to them, and their tweets (20 a page)."""
    me = viewer(request)
    user, relationship = account_selectors.user_profile(username=username, viewer=me)
    if username != user.username:
        return HttpResponseRedirect(f"/@{user.username}")
    offset = offset_param(request)
    tweets = []
    if not (relationship and relationship["blocking"]):  # one blocking sees none of their tweets
        tweets = list(user_tweets(user=user, viewer=me)[offset : offset + PAGE_SIZE + 1])
    more = more_url(f"/@{user.username}", offset, len(tweets) > PAGE_SIZE)
    cards = tweet_cards(tweets[:PAGE_SIZE], viewer=me)
    if getattr(request, "htmx", False) and offset:
        return fragment(request, "web/_cards_more.html", {"cards": cards, "more": more})
    context = {
        **_profile_context(user, relationship),
        "title": f"{user.display_name or user.username} (@{user.username})",
        "nav": "profile" if relationship is None else "",
        "cards": cards,
        "more": more,
    }
    return page(request, "web/profile.html", context)


def _people(kind: str) -> Callable[..., HttpResponse]:
    """Whom they follow, or who follows them: newest first, 20 a page, each with a Follow button."""
    select = account_selectors.user_following if kind == "following" else account_selectors.user_followers

    @signed_in
    def view(request: HttpRequest, username: str) -> HttpResponse:
        me = viewer(request)
        user, relationship = account_selectors.user_profile(username=username, viewer=me)
        if username != user.username:
            return HttpResponseRedirect(f"/@{user.username}/{kind}")
        offset = offset_param(request)
        people = list(select(user=user, viewer=me)[offset : offset + PAGE_SIZE + 1])
        more = more_url(f"/@{user.username}/{kind}", offset, len(people) > PAGE_SIZE)
        people = people[:PAGE_SIZE]
        relations = account_selectors.relationships(viewer=me, user_ids=[p.pk for p in people])
        rows = [(person, relations.get(person.pk)) for person in people]
        if getattr(request, "htmx", False) and offset:
            return fragment(request, "web/_people_more.html", {"rows": rows, "more": more})
        name = user.display_name or user.username
        context = {
            **_profile_context(user, relationship),
            "title": f"People {name} follows" if kind == "following" else f"People following {name}",
            "kind": kind,
            "rows": rows,
            "more": more,
        }
        return page(request, "web/people.html", context)

    return view


following = _people("following")
followers = _people("followers")


def _relation_action(service: Callable[..., object], *, follower_style: bool, done: str) -> Callable[..., HttpResponse]:
    """Follow, unfollow, mute, unmute, block or unblock through the accounts service; then the
    profile's buttons or the list row's (htmx), or back to the page."""

    @action
    def view(request: HttpRequest, username: str) -> HttpResponse:
        me = viewer(request)
        target = account_selectors.user_get_by_username(username=username, viewer=me)
        if follower_style:
            service(follower=me, followee=target)
        else:
            service(user=me, target=target)
        if getattr(request, "htmx", False):
            target.refresh_from_db()
            relationship = account_selectors.relationship(viewer=me, user=target)
            template = "web/_person_actions.html" if request.POST.get("in") == "row" else "web/_profile_head.html"
            return fragment(request, template, {**_profile_context(target, relationship), "person": target})
        if done:
            messages.success(request, done.format(username=target.username))
        return back(request, f"/@{target.username}")

    return view


follow = _relation_action(account_services.follow_create, follower_style=True, done="")
unfollow = _relation_action(account_services.follow_delete, follower_style=True, done="")
mute = _relation_action(account_services.mute_create, follower_style=False, done="You muted @{username}.")
unmute = _relation_action(account_services.mute_delete, follower_style=False, done="You unmuted @{username}.")
block = _relation_action(account_services.block_create, follower_style=False, done="You blocked @{username}.")
unblock = _relation_action(account_services.block_delete, follower_style=False, done="You unblocked @{username}.")


@require_http_methods(["GET", "POST"])
@signed_in
def report(request: HttpRequest, username: str) -> HttpResponse:
    """GET: the report form for the account. POST: file it (moderation.services), back to the page."""
    me = viewer(request)
    user = account_selectors.user_get_by_username(username=username, viewer=me)
    context = {
        "title": f"Report @{user.username}",
        "subject": f"@{user.username}",
        "action_url": f"/@{user.username}/report",
        "next": next_url(request, f"/@{user.username}"),
    }
    if request.method != "POST":
        return page(request, "web/report.html", context)
    return file_report(request, context, username=user.username, tweet_id=None)
