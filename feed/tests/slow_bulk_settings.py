"""Settings for the workers of the chunked fan-out test: chunks of 2,000 followers, each
written in paced batches of 500, so that a large fan-out lasts a few seconds and its
chunks spread over both workers. Authors are never left to the read-time merge here."""

from config.settings import *  # noqa: F403

FANOUT_CHUNK_SIZE = 2000
FEED_FANOUT_BATCH_SIZE = 500
FEED_FANOUT_BATCH_PAUSE = 0.2
FANOUT_FOLLOWER_LIMIT = 10_000_000
