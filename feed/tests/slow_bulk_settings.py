"""Settings for the workers of the chunked fan-out test: chunks of 1,000 followers, each
written in paced batches of 250, so that a large fan-out lasts a few seconds and its
chunks spread over both workers. Authors are never left to the read-time merge here."""

from config.settings import *  # noqa: F403

FANOUT_CHUNK_SIZE = 1000
FEED_FANOUT_BATCH_SIZE = 250
FEED_FANOUT_BATCH_PAUSE = 0.1
FANOUT_FOLLOWER_LIMIT = 10_000_000
