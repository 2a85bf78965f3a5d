"""Settings for the worker and beat of the fault tests.

Fan-out in paced batches (so "in the middle of a fan-out to 20,000 followers" lasts long
enough to be hit), and the sweeper every 2 s instead of 30 s (so "the broker came back
and the sweeper caught up" fits in a test). Nothing else differs from production.
"""

from config.settings import *  # noqa: F403

FEED_FANOUT_BATCH_SIZE = 1000
# Fault (a) kills a worker in the middle of a fan-out on write to 20,000 followers: above the
# default hybrid limit (10,000) that author would be merged at read time and never fanned out.
FANOUT_FOLLOWER_LIMIT = 1_000_000
FEED_FANOUT_BATCH_PAUSE = 0.3
CELERY_BEAT_SCHEDULE = {
    "feed-sweep-unfanned": {
        "task": "feed.tasks.sweep_unfanned",
        "schedule": 2.0,
        "kwargs": {"min_age_seconds": 1},
        "options": {"expires": 2},
    },
}
