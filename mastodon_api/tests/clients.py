"""Helpers for the real-client tests: play the person at the authorize pages, check entities."""

import re

import requests


def _names(text: str) -> list[str]:
    return text.split()


# Mastodon v4.2's documented attributes that are not optional, per entity (docs.joinmastodon.org/entities).
REQUIRED = {
    "Account": _names(
        "id username acct url display_name note avatar avatar_static header header_static locked fields emojis "
        "bot group discoverable created_at last_status_at statuses_count followers_count following_count"
    ),
    "CredentialAccount": ["source"],
    "Status": _names(
        "id uri created_at account content visibility sensitive spoiler_text media_attachments mentions tags "
        "emojis reblogs_count favourites_count replies_count url in_reply_to_id in_reply_to_account_id reblog "
        "poll card language edited_at"
    ),
    "Relationship": _names(
        "id following showing_reblogs notifying followed_by blocking blocked_by muting muting_notifications "
        "requested domain_blocking endorsed note"
    ),
    "Notification": _names("id type created_at account"),
    "Context": _names("ancestors descendants"),
    "Search": _names("accounts statuses hashtags"),
    "Tag": _names("name url"),
    "Mention": _names("id username url acct"),
    "Application": _names("name"),
    "InstanceV1": _names(
        "uri title short_description description email version urls stats thumbnail languages "
        "registrations approval_required invites_enabled configuration contact_account rules"
    ),
    "InstanceV2": _names(
        "domain title version source_url description usage thumbnail languages configuration "
        "registrations contact rules"
    ),
}
_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def check(kind: str, entity: dict) -> dict:
    """Assert `entity` carries every required attribute of its kind (nested entities too); returns it."""
    missing = [key for key in REQUIRED[kind] if key not in entity]
    assert not missing, f"{kind} lacks {missing}: {entity}"
    if kind == "CredentialAccount":
        check("Account", entity)
    if kind in ("Account", "Status", "Notification") and isinstance(entity["created_at"], str):
        # Raw JSON (Mastodon.py hands back datetimes): milliseconds and Z, as Mastodon writes them.
        assert _TIME_RE.match(entity["created_at"]), entity["created_at"]
    if kind == "Status":
        check("Account", entity["account"])
        for mention in entity["mentions"]:
            check("Mention", mention)
        for tag in entity["tags"]:
            check("Tag", tag)
        if entity["reblog"] is not None:
            check("Status", entity["reblog"])
    if kind == "Notification":
        check("Account", entity["account"])
        if entity.get("status") is not None:
            check("Status", entity["status"])
    if kind == "Context":
        for status in entity["ancestors"] + entity["descendants"]:
            check("Status", status)
    if kind == "Search":
        for account in entity["accounts"]:
            check("Account", account)
        for status in entity["statuses"]:
            check("Status", status)
        for tag in entity["hashtags"]:
            check("Tag", tag)
    return entity


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def approve_in_browser(authorize_url: str, username: str, password: str) -> str:
    """Play the person: open the authorize URL, sign in, approve; returns the out-of-band code shown."""
    with requests.Session() as session:
        return _approve(session, authorize_url, username, password)


def _approve(session: requests.Session, authorize_url: str, username: str, password: str) -> str:
    page = session.get(authorize_url, timeout=10)
    assert page.status_code == 200 and "Sign in" in page.text, page.text
    signed_in = session.post(
        page.url,
        data={"csrfmiddlewaretoken": _csrf(page.text), "username": username, "password": password},
        headers={"Referer": page.url},
        timeout=10,
    )
    assert signed_in.status_code == 200 and "Authorize" in signed_in.text, signed_in.text
    approved = session.post(
        signed_in.url,
        data={"csrfmiddlewaretoken": _csrf(signed_in.text), "approve": "1"},
        headers={"Referer": signed_in.url},
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    match = re.search(r'id="authorization-code">([^<]+)<', approved.text)
    assert match, approved.text
    return match.group(1)
