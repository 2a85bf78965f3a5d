"""Settings for the workers of the chunked fan-out test: chunks of 1,000 followers, each
written in paced batches of 250 (0.75 s a chunk at least), so that a large fan-out lasts a
few seconds, its chunks spread over both workers, and a loaded CI machine still leaves the
normal tweet seconds to overtake them. Authors are never left to the read-time merge here."""

from config.settings import *  # noqa: F403

FANOUT_CHUNK_SIZE = 1000
FEED_FANOUT_BATCH_SIZE = 250
FEED_FANOUT_BATCH_PAUSE = 0.25
FANOUT_FOLLOWER_LIMIT = 10_000_000
