"""The stream process's registry: its connections, its one pub/sub connection, delivery.

One `Hub` per process. Every connection registers its subscriptions here; the hub keeps
the process subscribed (one shared pub/sub connection on REDIS_URL) to exactly the channels
its listeners need, refreshes their "someone listens" markers, and turns each message into
events: rendered once per event (per server URL) in a database thread, then queued on each
listener's connection. A connection that lets its queue pass STREAMING_MAX_BUFFER_BYTES is
cut (a client that stops reading is not buffered without bound).
"""

import asyncio
import gc
import logging
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, NamedTuple, TypeVar

import orjson
import redis.asyncio as aioredis
from django.conf import settings
from django.db import DatabaseError
from redis.exceptions import RedisError

from streaming import auth, channels, render
from streaming.pubsub import PubSubConnection, PubSubError

logger = logging.getLogger(__name__)

T = TypeVar("T")

BATCH_SECONDS = 0.003  # a publish's messages for one event arrive together: render them as one
RENDER_CACHE_SECONDS = 10.0
RENDER_CACHE_SIZE = 512
HEARTBEAT = b":thump\n\n"


class Subscription(NamedTuple):
    """One stream of a connection: its name and, for hashtag streams, the tag as the client sent it."""

    name: str
    tag: str = ""

    @property
    def label(self) -> list[str]:
        """The `stream` field Mastodon sends: ["user"], ["hashtag", "<tag>"]."""
        return [self.name, self.tag] if self.name.startswith("hashtag") else [self.name]


class Connection:
    """One client (an SSE response or a WebSocket): its subscriptions and its outgoing queue."""

    __slots__ = ("_items", "_size", "_wake", "abort", "base", "closed", "principal", "reason", "subscriptions", "ws")

    def __init__(self, principal: auth.Principal, base: str, *, ws: bool, abort: Callable[[], None]) -> None:
        self.principal = principal
        self.base = base  # the server URL entities are rendered with
        self.ws = ws
        self.subscriptions: set[Subscription] = set()
        self._items: list[Any] = []
        self._size = 0
        self._wake: asyncio.Future[None] | None = None
        self.closed = False
        self.reason = ""
        self.abort = abort  # drops the TCP connection at once (a client that stopped reading)

    @property
    def user_id(self) -> int:
        return self.principal.user_id

    def push(self, item: bytes | str) -> None:
        """Queue one message; past the buffer bound the connection is cut instead."""
        if self.closed:
            return
        self._size += len(item)
        if self._size > settings.STREAMING_MAX_BUFFER_BYTES:
            logger.warning(
                "streaming: user %s's connection cut: %d bytes waiting (the client does not read)",
                self.user_id,
                self._size,
                extra={"user_id": self.user_id},
            )
            self.close("slow")
            self.abort()
            return
        self._items.append(item)
        self._notify()

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed, self.reason = True, reason
            self._notify()

    def _notify(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def take(self) -> list[Any] | None:
        """Everything queued (waiting for something); None once the connection is closed."""
        while not self._items and not self.closed:
            self._wake = asyncio.get_running_loop().create_future()
            await self._wake
            self._wake = None
        if self.closed:
            return None
        items, self._items, self._size = self._items, [], 0
        return items

    def send_event(self, subscription: Subscription, event: str, payload: str, memo: dict[Any, Any]) -> None:
        """Queue `event` for one subscription, formatted for SSE or WebSocket; `memo` shares
        the formatting between the listeners of one event."""
        key = (self.ws, subscription, event)
        item = memo.get(key)
        if item is None:
            if self.ws:
                item = orjson.dumps({"stream": subscription.label, "event": event, "payload": payload}).decode()
            else:
                item = f"event: {event}\ndata: {payload}\n\n".encode()
            memo[key] = item
        self.push(item)


class Hub:
    """The process-wide state of the stream server (one per process, used from its event loop)."""

    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self.by_user: dict[int, set[Connection]] = defaultdict(set)
        self.home: dict[int, set[Connection]] = defaultdict(set)  # "user" streams
        self.notify: dict[int, set[Connection]] = defaultdict(set)  # "user" and "user:notification"
        self.public: set[Connection] = set()
        self.tags: dict[str, set[Connection]] = defaultdict(set)  # lower-case tag -> connections
        self.user_sources: dict[int, set[int]] = {}  # user with a home stream -> merged authors followed
        self.source_users: dict[int, set[int]] = defaultdict(set)
        self.merged: set[int] = set()
        self.executor = ThreadPoolExecutor(max_workers=settings.STREAMING_DB_THREADS, thread_name_prefix="stream-db")
        self.redis: aioredis.Redis | None = None
        self.pubsub: PubSubConnection | None = None
        self.subscribed: set[str] = set()
        self.stopping = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sync_task: asyncio.Task[None] | None = None
        self._to_mark: set[str] = set()  # channels a new listener needs marked now, subscribed or not
        self._pending: dict[Any, list[int]] = {}
        self._renders: OrderedDict[Any, tuple[float, asyncio.Future[Any]]] = OrderedDict()

    # --- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Connect to Redis and start the listener, the marker refresher and the heartbeat.

        The garbage collector first: what start-up loaded is frozen (never scanned again), and
        collections come ten times less often than by default. With 10,000 connections (some
        twenty objects each) a collection in the middle of a delivery was a visible pause.
        """
        gc.freeze()
        gc.set_threshold(7_000, 10, 10)
        self.redis = aioredis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        self._spawn(self._listen())
        self._spawn(self._refresh_markers())
        self._spawn(self._heartbeat())

    async def close_all(self) -> None:
        """SIGTERM: end every stream cleanly (SSE responses end, WebSockets get 1001)."""
        self.stopping = True
        for connection in list(self.connections):
            connection.close("shutdown")
        await asyncio.sleep(0)

    async def stop(self) -> None:
        self.stopping = True
        for task in list(self._tasks):
            task.cancel()
        if self.pubsub is not None:
            await _quietly(self.pubsub.aclose())
        if self.redis is not None:
            await _quietly(self.redis.aclose())
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        """A delivery that failed (the database away, say) is lost, said once in the log."""
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.warning("streaming: %s failed: %r", task.get_coro().__qualname__, exc)  # type: ignore[union-attr]

    async def run(self, function: Callable[..., T], **kwargs: Any) -> T:
        """A synchronous function (Django's ORM) in one of the database threads."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, partial(_in_thread, function, kwargs))

    # --- connections -----------------------------------------------------------------

    def may_connect(self, user_id: int) -> bool:
        """False past STREAMING_MAX_CONNECTIONS_PER_USER open connections of this user here."""
        return len(self.by_user.get(user_id, ())) < settings.STREAMING_MAX_CONNECTIONS_PER_USER

    def add(self, connection: Connection) -> None:
        if self.stopping:  # authenticated while SIGTERM was closing the others: close it too
            connection.close("shutdown")
        self.connections.add(connection)
        self.by_user[connection.user_id].add(connection)
        self._to_mark.add(channels.user(connection.user_id))
        self._want_sync()

    def remove(self, connection: Connection) -> None:
        connection.close(connection.reason or "gone")
        for subscription in list(connection.subscriptions):
            self.unsubscribe(connection, subscription)
        self.connections.discard(connection)
        _discard(self.by_user, connection.user_id, connection)
        self._want_sync()

    def subscribe(self, connection: Connection, subscription: Subscription) -> None:
        if subscription in connection.subscriptions:
            return
        connection.subscriptions.add(subscription)
        user_id = connection.user_id
        if subscription.name == "user":
            first = user_id not in self.home
            self.home[user_id].add(connection)
            if first:
                self._spawn(self._refresh_sources([user_id]))
        if subscription.name in ("user", "user:notification"):
            self.notify[user_id].add(connection)
        elif subscription.name.startswith("public"):
            self.public.add(connection)
            self._to_mark.add(channels.public())
        elif subscription.name.startswith("hashtag"):
            self.tags[subscription.tag.lower()].add(connection)
            self._to_mark.add(channels.public())
        self._want_sync()

    def unsubscribe(self, connection: Connection, subscription: Subscription) -> None:
        if subscription not in connection.subscriptions:
            return
        connection.subscriptions.discard(subscription)
        user_id = connection.user_id
        names = {s.name for s in connection.subscriptions}
        if subscription.name == "user":
            _discard(self.home, user_id, connection)
            if user_id not in self.home:
                self._set_sources(user_id, set())
        if subscription.name in ("user", "user:notification") and not names & {"user", "user:notification"}:
            _discard(self.notify, user_id, connection)
        elif subscription.name.startswith("public") and not any(n.startswith("public") for n in names):
            self.public.discard(connection)
        elif subscription.name.startswith("hashtag"):
            tag = subscription.tag.lower()
            if not any(s.name.startswith("hashtag") and s.tag.lower() == tag for s in connection.subscriptions):
                _discard(self.tags, tag, connection)
        self._want_sync()

    # --- channels and markers ----------------------------------------------------------

    def _desired(self) -> set[str]:
        wanted = {channels.control(), *(channels.user(user_id) for user_id in self.by_user)}
        wanted.update(channels.source(author_id) for author_id in self.source_users)
        if self.public or self.tags:
            wanted.add(channels.public())
        return wanted

    def _want_sync(self) -> None:
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = self._spawn(self._sync())

    async def _sync(self) -> None:
        """SUBSCRIBE / UNSUBSCRIBE the difference, mark the new channels (batched per loop turn)."""
        await asyncio.sleep(0)
        if self.pubsub is None:
            return  # the listener subscribes everything when it (re)connects
        try:
            while True:
                desired = self._desired()
                new, gone = desired - self.subscribed, self.subscribed - desired
                # A channel already subscribed is marked again for its new listener: its
                # marker may be gone (Redis flushed) until the next refresh otherwise.
                again, self._to_mark = (self._to_mark & self.subscribed) - new, set()
                if again:
                    await self._mark(again)
                if not new and not gone:
                    return
                if new:
                    await self.pubsub.subscribe(*new)
                    self.subscribed |= new
                    await self._mark(new)
                if gone:
                    await self.pubsub.unsubscribe(*gone)
                    self.subscribed -= gone
        except (RedisError, OSError) as exc:
            logger.warning("streaming: could not change subscriptions: %s", exc)
            if isinstance(exc, PubSubError) and self.pubsub is not None:
                await self.pubsub.aclose()  # the listener notices and reconnects

    async def _mark(self, names: Iterable[str]) -> None:
        """Set the "someone listens" marker of these channels, with its TTL. Tried twice: after
        a Redis restart the pool's first connection is a dead one."""
        assert self.redis is not None
        ttl = settings.STREAMING_MARKER_TTL
        batch = [channels.marker(name) for name in names if name != channels.control()]
        for start in range(0, len(batch), 1000):
            for attempt in (1, 2):
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for key in batch[start : start + 1000]:
                            pipe.set(key, 1, ex=ttl)
                        await pipe.execute()
                    break
                except (RedisError, OSError):
                    if attempt == 2:
                        raise

    async def _refresh_markers(self) -> None:
        while not self.stopping:
            await asyncio.sleep(settings.STREAMING_MARKER_TTL / 3)
            try:
                await self._mark(list(self.subscribed))
                if self.pubsub is not None:
                    await self.pubsub.ping()  # keeps the listener's read from idling out
            except (RedisError, OSError) as exc:
                logger.warning("streaming: could not refresh the listener markers: %s", exc)

    async def _heartbeat(self) -> None:
        """A comment line on every SSE stream every STREAMING_HEARTBEAT_SECONDS (WebSockets have
        uvicorn's pings), spread over that interval: a tenth of the streams each tenth, never
        10,000 writes at once in front of an event."""
        slices = 10
        tick = 0
        while not self.stopping:
            await asyncio.sleep(settings.STREAMING_HEARTBEAT_SECONDS / slices)
            tick = (tick + 1) % slices
            for connection in list(self.connections):
                if not connection.ws and id(connection) // 16 % slices == tick:
                    connection.push(HEARTBEAT)

    # --- the pub/sub connection ----------------------------------------------------------

    async def _listen(self) -> None:
        """Read the one pub/sub connection; on a Redis error, reconnect with backoff, subscribe
        again, and check what may have been missed meanwhile (tokens, merged authors)."""
        assert self.redis is not None
        delay, connected_before = 0.2, False
        while not self.stopping:
            try:
                self.pubsub = PubSubConnection(settings.REDIS_URL)
                self.subscribed = set()
                await self.pubsub.connect()
                await self.pubsub.subscribe(channels.control())
                self.subscribed.add(channels.control())
                self.merged = await self.run(render.merged_author_ids)
                await self._sync()
                if connected_before:
                    logger.warning("streaming: reconnected to Redis; %d channels", len(self.subscribed))
                    self._spawn(self._after_outage())
                connected_before, delay = True, 0.2
                handled = 0
                async for channel, data in self.pubsub.messages():
                    self._dispatch(channel, data)
                    handled += 1
                    if handled % 64 == 0:
                        # A burst is read from the socket's buffer without a pause: let the
                        # connections write (and the renders start) between messages.
                        await asyncio.sleep(0)
            except (RedisError, OSError, TimeoutError) as exc:  # PubSubError is an OSError
                logger.warning("streaming: Redis pub/sub lost (%s); reconnecting in %.1f s", exc, delay)
            except Exception:  # a bug must not stop the only listener
                logger.exception("streaming: the pub/sub listener failed; restarting it")
            pubsub, self.pubsub = self.pubsub, None
            if pubsub is not None:
                await _quietly(pubsub.aclose())
            if not self.stopping:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _after_outage(self) -> None:
        """Events published while Redis was away are lost (at most once); tokens revoked and
        follows changed meanwhile are not: check them all again."""
        await self._recheck([c.principal for c in list(self.connections)])
        await self._refresh_sources(list(self.home))

    def _dispatch(self, channel: str, data: bytes) -> None:
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        kind, ident = channels.parse(channel)
        event = message.get("e")
        if kind == "user" and ident is not None:
            self._on_user_message(ident, event, message)
        elif kind == "source" and ident is not None:
            if event == "update":
                self._spawn(self._deliver_source_update(ident, message))
            elif event == "delete":
                self._deliver_delete(
                    [c for uid in self.source_users.get(ident, ()) for c in self.home.get(uid, ())], message
                )
        elif kind == "public":
            if event == "update" and (self.public or self.tags):
                self._spawn(self._deliver_public(message))
            elif event == "delete":
                listeners = dict.fromkeys([*self.public, *(c for group in self.tags.values() for c in group)])
                self._deliver_delete(list(listeners), message)
        elif kind == "control" and event == "merged":
            self._spawn(self._on_merged(int(message["a"]), bool(message.get("on"))))

    def _on_user_message(self, user_id: int, event: str, message: dict[str, Any]) -> None:
        if event == "update" and user_id in self.home:
            self._gather(("update", message["t"], message.get("r")), user_id)
        elif event == "delete":
            self._deliver_delete(list(self.home.get(user_id, ())), message)
        elif event == "notification" and user_id in self.notify:
            self._spawn(self._deliver_notification(user_id, int(message["n"])))
        elif event == "auth":
            self._spawn(self._recheck([c.principal for c in self.by_user.get(user_id, ())]))
        elif event == "follows" and user_id in self.home:
            self._spawn(self._refresh_sources([user_id]))

    # --- delivery ------------------------------------------------------------------------

    def _gather(self, key: Any, user_id: int) -> None:
        """Collect the listeners of one event for BATCH_SECONDS, then deliver to all at once."""
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = [user_id]
            self._spawn(self._deliver_home_update(key))
        else:
            pending.append(user_id)

    async def _deliver_home_update(self, key: Any) -> None:
        await asyncio.sleep(BATCH_SECONDS)
        user_ids = self._pending.pop(key, [])
        _, tweet_id, reposter_id = key
        targets = [(c, Subscription("user")) for uid in dict.fromkeys(user_ids) for c in self.home.get(uid, ())]
        await self._deliver_status(targets, int(tweet_id), reposter_id)

    async def _deliver_source_update(self, author_id: int, message: dict[str, Any]) -> None:
        """A merged author's entry: its followers listening here, filtered by the feed's rules."""
        candidates = list(self.source_users.get(author_id, ()))
        if not candidates:
            return
        tweet_id, reposter_id = int(message["t"]), message.get("r")
        viewers = await self.run(
            render.merged_entry_viewers,
            candidates=candidates,
            source_id=author_id,
            author_id=int(message.get("a") or author_id),
            reposter_id=reposter_id,
        )
        targets = [(c, Subscription("user")) for uid in viewers for c in self.home.get(uid, ())]
        await self._deliver_status(targets, tweet_id, reposter_id)

    async def _deliver_public(self, message: dict[str, Any]) -> None:
        """A new tweet: to the public streams and the hashtag streams of its tags, minus the
        listeners a block or mute stands between (as in the feed)."""
        tweet_id, author_id = int(message["t"]), int(message["a"])
        listeners = list(dict.fromkeys([*self.public, *(c for group in self.tags.values() for c in group)]))
        excluded = await self.run(
            render.excluded_among, user_ids=list({c.user_id for c in listeners}), others=[author_id]
        )
        memo: dict[Any, Any] = {}
        for base in {c.base for c in listeners}:
            entity = await self._status(base, tweet_id, None)
            if entity is None:
                continue
            payload = orjson.dumps(entity).decode()
            tags = {tag["name"].lower() for tag in entity.get("tags", ())}
            for connection in listeners:
                if connection.base != base or connection.user_id in excluded:
                    continue
                for subscription in connection.subscriptions:
                    if subscription.name.startswith("public") or (
                        subscription.name.startswith("hashtag") and subscription.tag.lower() in tags
                    ):
                        connection.send_event(subscription, "update", payload, memo)

    async def _deliver_status(
        self, targets: list[tuple[Connection, Subscription]], tweet_id: int, reposter_id: int | None
    ) -> None:
        """`update` to these listeners: the status rendered once per server URL; a reblog's
        `favourited`/`reblogged` looked up for all of them in one query."""
        if not targets:
            return
        liked: set[int] = set()
        reposted: set[int] = set()
        if reposter_id is not None:
            liked, reposted = await self.run(
                render.flags, tweet_id=tweet_id, user_ids=list({c.user_id for c, _ in targets})
            )
        memo: dict[Any, Any] = {}
        for base in {c.base for c, _ in targets}:
            entity = await self._status(base, tweet_id, reposter_id)
            if entity is None:
                continue
            payloads: dict[tuple[bool, bool], str] = {}
            for connection, subscription in targets:
                if connection.base != base:
                    continue
                flags = (connection.user_id in liked, connection.user_id in reposted)
                payload = payloads.get(flags)
                if payload is None:
                    shown = render.with_flags(entity, liked=flags[0], reposted=flags[1]) if any(flags) else entity
                    payload = payloads[flags] = orjson.dumps(shown).decode()
                connection.send_event(subscription, "update", payload, memo.setdefault(flags, {}))

    def _deliver_delete(self, connections: list[Connection], message: dict[str, Any]) -> None:
        """`delete` with the bare id (no quotes: clients parse the payload as JSON)."""
        memo: dict[Any, Any] = {}
        payload = str(int(message["t"]))
        for connection in connections:
            for subscription in connection.subscriptions:
                if subscription.name in ("user", "public", "public:local", "hashtag", "hashtag:local"):
                    connection.send_event(subscription, "delete", payload, memo)

    async def _deliver_notification(self, user_id: int, notification_id: int) -> None:
        connections = list(self.notify.get(user_id, ()))
        memo: dict[Any, Any] = {}
        for base in {c.base for c in connections}:
            entity = await self.run(
                render.notification, base=base, notification_id=notification_id, recipient_id=user_id
            )
            if entity is None:
                return
            payload = orjson.dumps(entity).decode()
            for connection in connections:
                if connection.base == base:
                    for subscription in connection.subscriptions:
                        if subscription.name in ("user", "user:notification"):
                            connection.send_event(subscription, "notification", payload, memo)

    async def _status(self, base: str, tweet_id: int, reposter_id: int | None) -> dict[str, Any] | None:
        """The rendered status, shared by every delivery of the same event for a few seconds."""
        key = (base, tweet_id, reposter_id)
        now = time.monotonic()
        cached = self._renders.get(key)
        if cached is not None and now - cached[0] < RENDER_CACHE_SECONDS:
            return await asyncio.shield(cached[1])
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._renders[key] = (now, future)
        while len(self._renders) > RENDER_CACHE_SIZE:
            self._renders.popitem(last=False)
        try:
            try:
                entity = await self.run(render.status, base=base, tweet_id=tweet_id, reposter_id=reposter_id)
            except DatabaseError:  # a connection broken or timed out under load: once more, on a fresh one
                await asyncio.sleep(0.1)
                entity = await self.run(render.status, base=base, tweet_id=tweet_id, reposter_id=reposter_id)
            future.set_result(entity)
        except Exception as exc:
            self._renders.pop(key, None)
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        return future.result()

    # --- tokens and merged authors --------------------------------------------------------

    async def _recheck(self, principals: list[auth.Principal]) -> None:
        """Close the connections whose token no longer stands (revoked, password changed,
        logged out, user suspended): within a second of the event that announced it."""
        if not principals:
            return
        valid = set()
        unique = list(dict.fromkeys(principals))
        for start in range(0, len(unique), 500):
            valid |= await self.run(auth.still_valid, principals=unique[start : start + 500])
        for connection in list(self.connections):
            if connection.principal in unique and connection.principal not in valid:
                logger.info("streaming: user %s's token no longer stands; stream closed", connection.user_id)
                connection.close("revoked")

    async def _refresh_sources(self, user_ids: list[int]) -> None:
        """Which merged authors each of these users' home streams listens to."""
        for user_id in user_ids:
            if user_id not in self.home:
                continue
            followed = await self.run(render.merged_followees, user_id=user_id) if self.merged else []
            if user_id in self.home:
                self._set_sources(user_id, set(followed))

    def _set_sources(self, user_id: int, authors: set[int]) -> None:
        old = self.user_sources.pop(user_id, set())
        if authors:
            self.user_sources[user_id] = authors
        for author_id in old - authors:
            _discard(self.source_users, author_id, user_id)
        for author_id in authors - old:
            self.source_users[author_id].add(user_id)
        if old != authors:
            self._want_sync()

    async def _on_merged(self, author_id: int, merged: bool) -> None:
        """An author crossed FANOUT_FOLLOWER_LIMIT: listen (or stop) on their followers' behalf."""
        if merged:
            self.merged.add(author_id)
            followers = await self.run(render.followers_among, author_id=author_id, user_ids=list(self.home))
            for user_id in followers:
                self._set_sources(user_id, self.user_sources.get(user_id, set()) | {author_id})
        else:
            self.merged.discard(author_id)
            for user_id in list(self.source_users.get(author_id, ())):
                self._set_sources(user_id, self.user_sources.get(user_id, set()) - {author_id})


def _in_thread(function: Callable[..., T], kwargs: dict[str, Any]) -> T:
    render.fresh_connection()
    return function(**kwargs)


def _discard(index: dict[Any, set[Any]], key: Any, value: Any) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(value)
        if not members:
            del index[key]


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception as exc:  # closing what is already broken
        logger.debug("streaming: while closing: %s", exc)
