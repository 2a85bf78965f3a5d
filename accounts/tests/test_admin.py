"""The moderation console for users: search, filters, suspend and unsuspend."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def names(response) -> set[str]:
    return {user.username for user in response.context["cl"].result_list}


def test_changelist_search_and_filters(admin_client_):
    UserFactory(username="findme", email="hidden.address@example.org")
    UserFactory(username="other")
    UserFactory(username="gone", is_active=False)
    response = admin_client_.get(CHANGELIST)
    assert response.status_code == 200
    assert {"findme", "other", "gone", "root"} <= names(response)
    assert names(admin_client_.get(CHANGELIST, {"q": "FINDME"})) == {"findme"}
    assert names(admin_client_.get(CHANGELIST, {"q": "hidden.address"})) == {"findme"}
    assert names(admin_client_.get(CHANGELIST, {"is_active__exact": "0"})) == {"gone"}
    assert names(admin_client_.get(CHANGELIST, {"is_staff__exact": "1"})) == {"root"}
    assert admin_client_.get(CHANGELIST, {"created_at__gte": "2000-01-01 00:00:00+00:00"}).status_code == 200


def test_change_and_add_pages_load(admin_client_):
    user = UserFactory()
    assert admin_client_.get(f"{CHANGELIST}{user.pk}/change/").status_code == 200
    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 200


def test_add_user_with_a_duplicate_in_another_case_is_a_form_error(admin_client_):
    UserFactory(username="Taken", email="taken@example.com")
    response = admin_client_.post(
        f"{CHANGELIST}add/",
        {
            "username": "tAKEN",
            "email": "new@example.com",
            "password1": "quiet-lantern-orbit-73",
            "password2": "quiet-lantern-orbit-73",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    response = admin_client_.post(
        f"{CHANGELIST}add/",
        {
            "username": "fresh",
            "email": "TAKEN@example.com",
            "password1": "quiet-lantern-orbit-73",
            "password2": "quiet-lantern-orbit-73",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert User.objects.count() == 2


def test_add_user_through_the_admin(admin_client_):
    response = admin_client_.post(
        f"{CHANGELIST}add/",
        {
            "username": "made_here",
            "email": "made@example.com",
            "password1": "quiet-lantern-orbit-73",
            "password2": "quiet-lantern-orbit-73",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="made_here").password.startswith("argon2$")


def test_suspend_and_unsuspend_actions(admin_client_, make_client):
    target = UserFactory(username="troll")
    bystander = UserFactory(username="bystander")
    client = make_client(target)
    assert client.get("/api/users/me/").status_code == 200
    response = admin_client_.post(CHANGELIST, {"action": "suspend", "_selected_action": [target.pk]}, follow=True)
    assert response.status_code == 200
    assert "Suspended 1 user(s)." in response.content.decode()
    target.refresh_from_db()
    bystander.refresh_from_db()
    assert not target.is_active
    assert bystander.is_active
    # Tokens issued before the suspension stop working at once.
    assert client.get("/api/users/me/").status_code == 401
    assert make_client(bystander).get("/api/users/troll/").status_code == 404

    response = admin_client_.post(CHANGELIST, {"action": "unsuspend", "_selected_action": [target.pk]}, follow=True)
    assert "Unsuspended 1 user(s)." in response.content.decode()
    target.refresh_from_db()
    assert target.is_active
    assert make_client(target).get("/api/users/me/").status_code == 200


def test_a_moderator_cannot_suspend_themselves(admin_client_):
    root = User.objects.get(username="root")
    admin_client_.post(CHANGELIST, {"action": "suspend", "_selected_action": [root.pk]})
    root.refresh_from_db()
    assert root.is_active


def test_non_staff_cannot_use_the_admin(make_client):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("username", ["me", "ME", "bad-name", "émile"])
def test_admin_refuses_reserved_or_invalid_usernames(admin_client_, username):
    response = admin_client_.post(
        f"{CHANGELIST}add/",
        {
            "username": username,
            "email": "new@example.com",
            "password1": "quiet-lantern-orbit-73",
            "password2": "quiet-lantern-orbit-73",
        },
    )
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_admin_cannot_rename_a_user_to_me(admin_client_):
    user = UserFactory(username="renamed")
    page = admin_client_.get(f"{CHANGELIST}{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"username": "Me", "groups": [], "user_permissions": []})
    response = admin_client_.post(f"{CHANGELIST}{user.pk}/change/", data)
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.username == "renamed"


def test_deleting_a_follow_in_the_admin_keeps_counters_right(admin_client_):
    from accounts import services

    fan, star = UserFactory(), UserFactory()
    follow, _ = services.follow_create(follower=fan, followee=star)
    assert admin_client_.get("/admin/accounts/follow/").status_code == 200
    response = admin_client_.post(f"/admin/accounts/follow/{follow.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    star.refresh_from_db()
    fan.refresh_from_db()
    assert (star.num_followers, fan.num_following) == (0, 0)
    assert admin_client_.get("/admin/accounts/follow/add/").status_code == 403


def test_users_are_suspended_not_deleted_in_the_admin(admin_client_):
    # Deleting would cascade past the services: other users' counters, feeds and search go stale.
    user = UserFactory()
    assert admin_client_.get(f"{CHANGELIST}{user.pk}/delete/").status_code == 403
    admin_client_.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"})
    assert User.objects.filter(pk=user.pk).exists()


def test_editing_a_profile_in_the_admin_announces_the_change(admin_client_, django_capture_on_commit_callbacks):
    from accounts import signals

    user = UserFactory(username="edited")
    seen = []

    def receiver(sender, user_id, **kwargs):
        seen.append(user_id)

    signals.user_updated.connect(receiver)
    try:
        page = admin_client_.get(f"{CHANGELIST}{user.pk}/change/")
        form = page.context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
        data.update({"display_name": "New Name", "groups": [], "user_permissions": []})
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client_.post(f"{CHANGELIST}{user.pk}/change/", data)
        assert response.status_code == 302
    finally:
        signals.user_updated.disconnect(receiver)
    user.refresh_from_db()
    assert user.display_name == "New Name"
    assert seen == [user.pk]
