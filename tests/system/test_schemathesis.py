"""Property-based fuzzing of every operation in our own /api/schema/ (schemathesis).

The schema is fetched from the running app's /api/schema/ endpoint; each operation is a
pytest item that sends generated requests (valid and invalid) over real HTTP to a live
server, authenticated with a real JWT, and asserts: no 5xx, the status code is one the
operation documents, and the body matches the documented schema. A failure is fixed in
the code or in the view's schema annotations, never by dropping a check.

Path parameters are sometimes swapped for ids and usernames that exist, so the fuzzer
reaches the code behind the 404s as well.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from tests.system import stats

pytestmark = [pytest.mark.slow]

# Small enough for `make test` on 2 cores (about a minute); raise locally with FUZZ_EXAMPLES.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# Filled by the `fuzz_world` fixture before each operation runs; read lazily by the hook.
KNOWN: dict[str, list[str]] = {"tweet_id": [], "username": [], "tag": []}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Often replace generated ids with ones that exist, so the fuzzer gets past the 404s."""
    if not path_parameters:
        return st.just(path_parameters)
    replacements = {
        name: st.sampled_from(KNOWN[name])
        for name in path_parameters
        if name in KNOWN and KNOWN[name] and isinstance(path_parameters[name], str)
    }
    if not replacements:
        return st.just(path_parameters)
    real = st.fixed_dictionaries(replacements).map(lambda chosen: {**path_parameters, **chosen})
    # Existing ids first: Hypothesis favours the first branch, and random ids are all 404s.
    return st.one_of(real, st.just(path_parameters))


@pytest.fixture
def fuzz_world(transactional_db, live_server, settings):  # type: ignore[no-untyped-def]
    """A user with a token, another user with tweets and a follow, replies and likes."""
    from accounts import services as account_services
    from accounts.tests.factories import UserFactory
    from tweets import services as tweet_services

    # The fuzzer registers and logs in far more than 20 times a minute.
    settings.AUTH_THROTTLE_RATE = "100000/minute"
    me = UserFactory(username="fuzzer")
    other = UserFactory(username="other_user")
    account_services.follow_create(follower=me, followee=other)
    account_services.follow_create(follower=other, followee=me)
    tweets = [tweet_services.tweet_create(author=other, content=f"fuzz target {i} @fuzzer #fuzz") for i in range(3)]
    mine = tweet_services.tweet_create(author=me, content="my own tweet")
    reply = tweet_services.tweet_create(author=me, content="a reply", in_reply_to=tweets[0])
    tweet_services.like_create(user=me, tweet=tweets[0])
    tweet_services.repost_create(user=me, tweet=tweets[1])
    KNOWN["tweet_id"] = [str(t.pk) for t in [*tweets, mine, reply]]
    KNOWN["username"] = ["fuzzer", "other_user", "me", "OTHER_USER"]
    KNOWN["tag"] = ["fuzz", "FUZZ"]
    from rest_framework_simplejwt.tokens import RefreshToken

    return {"base_url": f"{live_server.url}", "token": str(RefreshToken.for_user(me).access_token)}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, fuzz_world):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {fuzz_world['token']}"}
    response = case.call_and_validate(base_url=fuzz_world["base_url"], headers=headers, checks=CHECKS, timeout=30)
    stats.FUZZ[case.operation.label][response.status_code] += 1
