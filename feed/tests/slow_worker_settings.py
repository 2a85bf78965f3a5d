"""Settings for the worker the SIGKILL test interrupts: small, paced fan-out batches,
so that "in the middle of a fan-out" lasts long enough to be hit reliably."""

from config.settings import *  # noqa: F403

FEED_FANOUT_BATCH_SIZE = 100
FEED_FANOUT_BATCH_PAUSE = 0.1
