"""Image attachments (issue 21), each against its baseline in the same run (bench/README.md):

- `media_upload`: POST /api/media/ of a 4000x3000 photo-like JPEG through gunicorn, p50,
  against the floor: Pillow alone doing the same decode (draft), resize, preview and encode
  of the same bytes in this process. Interleaved upload by upload.
- `media_memory`: peak resident memory of one gunicorn worker (4 threads) while 4 such
  uploads run at once, above the same worker idle.
- `media_feed_read`, `media_feed_api`: a page whose 20 tweets carry 4 images each against a
  text-only page of the same tweets, p50: read as the feed_read benchmark reads a page
  (feed_page), and the whole GET /api/feed/ in-process (the loaded code frozen out of the
  garbage collector as in a gunicorn worker); SQL queries of a page.
"""

from __future__ import annotations

import gc
import io
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from bench.benchmarks import Result

PHOTO_SIZE = (4000, 3000)


def photo_jpeg() -> bytes:
    """A 12-megapixel photo-like JPEG (gradients, fractal detail, sensor-like noise; ~3 MB at
    quality 90, as a phone's) with EXIF, as a camera writes it."""
    width, height = PHOTO_SIZE
    gradient = Image.linear_gradient("L").resize((width, height))
    detail = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 80)
    noise = Image.effect_noise((width, height), 24)
    image = Image.merge(
        "RGB",
        (
            Image.blend(gradient, detail, 0.5),
            Image.blend(detail, noise, 0.3),
            Image.blend(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.25),
        ),
    )
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    exif[0x0112] = 1
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def pillow_floor(data: bytes, *, max_side: int, preview_side: int, quality: int) -> tuple[int, int]:
    """What any upload path must do at least, with Pillow alone: decode at the DCT scale
    media.processing picks, orient, cap, preview, encode both. Returns the stored size."""
    from media.processing import DRAFT_FILL, fit

    image = Image.open(io.BytesIO(data))
    target = fit(image.size, max_side)
    image.draft(None, (int(target[0] * DRAFT_FILL), int(target[1] * DRAFT_FILL)))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    size = fit(image.size, max_side)
    main = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.5)
    small = main.resize(fit(main.size, preview_side), Image.Resampling.LANCZOS, reducing_gap=1.5)
    for picture in (main, small):
        picture.save(io.BytesIO(), "JPEG", quality=quality)
    return main.size


_BOUNDARY = "chirp-bench-boundary-7d1f0a"


def multipart(data: bytes) -> bytes:
    """The upload's body, encoded once: the client's own encoding stays out of the timing."""
    head = (
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{_BOUNDARY}--\r\n".encode()


def _post(base_url: str, token: str, body: bytes, session: Any = None) -> Any:
    import requests

    response = (session or requests).post(
        f"{base_url}/api/media/",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={_BOUNDARY}"},
        timeout=120,
    )
    if response.status_code != 201:
        raise RuntimeError(f"upload: {response.status_code} {response.text[:300]}")
    return response.json()


def media_upload(*, base_url: str, token: str, data: bytes, uploads: int, server_pid: int | None = None) -> Result:
    """p50 of the upload through gunicorn vs the Pillow floor, interleaved. Also, as information
    that other jobs on the machine do not blur: the CPU time the server's workers spent per
    upload against the floor's own CPU time."""
    from django.conf import settings

    def floor() -> tuple[int, int]:
        return pillow_floor(
            data,
            max_side=settings.MEDIA_MAX_SIDE,
            preview_side=settings.MEDIA_PREVIEW_SIDE,
            quality=settings.MEDIA_JPEG_QUALITY,
        )

    import requests

    body = multipart(data)
    session = requests.Session()  # one kept-alive connection, as a client uploading several images
    for _ in range(3):  # warm-up: every worker's code paths, the page cache
        _post(base_url, token, body, session)
        floor()
    ours: list[float] = []
    base: list[float] = []
    stored: Any = None
    workers_cpu = _workers_cpu(server_pid)
    floor_cpu = 0.0
    for i in range(uploads):
        steps: list[tuple[list[float], Callable[[], Any]]] = [
            (ours, lambda: _post(base_url, token, body, session)),
            (base, floor),
        ]
        for times, step in steps if i % 2 == 0 else reversed(steps):
            started, cpu = time.perf_counter(), time.process_time()
            out = step()
            times.append(time.perf_counter() - started)
            if times is ours:
                stored = out
            else:
                floor_cpu += time.process_time() - cpu
    session.close()
    server_cpu = (_workers_cpu(server_pid) - workers_cpu) / uploads
    ours50, base50 = statistics.median(ours), statistics.median(base)
    return Result(
        name="media_upload",
        ours=f"p50 {ours50 * 1000:.0f} ms (HTTP)",
        baseline=f"Pillow floor p50 {base50 * 1000:.0f} ms",
        ratio=ours50 / base50,
        goal="p50 < 1 s and ours/floor <= 1.5",
        met=ours50 < 1.0 and ours50 / base50 <= 1.5,
        info={
            "photo": f"{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG, {len(data):,} bytes",
            "stored": f"{stored['width']}x{stored['height']}" if stored else None,
            "uploads": uploads,
            "server_cpu_ms_per_upload": round(server_cpu * 1000, 1),
            "floor_cpu_ms": round(floor_cpu / uploads * 1000, 1),
            "cpu_ratio": round(server_cpu / (floor_cpu / uploads), 2) if floor_cpu else None,
            "ours_ms": [round(t * 1000, 1) for t in ours],
            "floor_ms": [round(t * 1000, 1) for t in base],
        },
    )


def _workers_cpu(server_pid: int | None) -> float:
    """User + system CPU seconds of gunicorn's worker processes so far (0 without a pid)."""
    if server_pid is None:
        return 0.0
    import psutil

    total = 0.0
    for child in psutil.Process(server_pid).children():
        times = child.cpu_times()
        total += times.user + times.system
    return total


def media_memory(*, base_url: str, token: str, data: bytes, worker_pid: int, rounds: int = 3) -> Result:
    """Peak RSS of the worker process over `rounds` of 4 concurrent uploads, above its idle RSS
    (after one small upload: the code an upload needs is loaded)."""
    import psutil

    process = psutil.Process(worker_pid)
    small = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 200)).save(small, "JPEG")
    _post(base_url, token, multipart(small.getvalue()))
    body = multipart(data)
    time.sleep(0.5)
    idle = process.memory_info().rss
    peak = idle
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    round_peaks = []
    try:
        with ThreadPoolExecutor(4) as pool:
            for _ in range(rounds):
                before = peak
                list(pool.map(lambda _: _post(base_url, token, body), range(4)))
                round_peaks.append(round(max(peak, before) / 2**20, 1))
    finally:
        stop.set()
        sampler.join()
    above = (peak - idle) / 2**20
    return Result(
        name="media_memory",
        ours=f"peak {peak / 2**20:.0f} MB (+{above:.0f} MB)",
        baseline=f"idle worker {idle / 2**20:.0f} MB",
        ratio=None,
        goal="< 300 MB above idle",
        met=above < 300,
        info={
            "concurrent_uploads": 4,
            "rounds": rounds,
            "worker": "gunicorn gthread, 1 worker x 4 threads",
            "peak_after_each_round_mb": round_peaks,
            "idle_mb": round(idle / 2**20, 1),
        },
    )


def media_feed(*, requests: int, work: Path) -> list[Result]:
    """A feed page of 20 tweets with 4 images each vs the same 20 tweets without images, p50,
    interleaved: `media_feed_read` as the feed_read benchmark measures a page (feed_page: the
    Redis read with the cached bodies and the state query, in-process), and `media_feed_api`
    the whole GET /api/feed/ in-process (middleware, JWT, DRF, the tweet and media objects,
    JSON). SQL queries of a page (the API's) must be the same."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts import services as account_services
    from accounts.models import User
    from config.celery import app
    from feed import timeline
    from feed.services import rebuild_feed
    from media.models import Media
    from tweets import services as tweet_services

    User.objects.filter(username__startswith="bmedia_").delete()
    users = {
        name: User.objects.create_user(f"bmedia_{name}", f"bmedia_{name}@example.com", None)
        for name in ("pics", "text", "see_pics", "see_text")
    }
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the fan-outs and caches of the set-up, inline
    try:
        account_services.follow_create(follower=users["see_pics"], followee=users["pics"])
        account_services.follow_create(follower=users["see_text"], followee=users["text"])
        for i in range(20):
            content = f"Tweet number {i} of the media benchmark, with a #hashtag and some words to read"
            media = Media.objects.bulk_create(
                [
                    Media(
                        owner=users["pics"],
                        file=f"be/{i:02d}{j}{'e' * 28}.jpg",
                        preview=f"be/{i:02d}{j}{'f' * 28}.jpg",
                        width=2000,
                        height=1500,
                        preview_width=640,
                        preview_height=480,
                        blurhash="UxHV5;2+wzkTqKWHjre;g2fifRfjs.WojtfQ",
                        description=f"Image {j} of tweet {i}: what it shows, for people who cannot see it",
                    )
                    for j in range(4)
                ]
            )
            tweet_services.tweet_create(author=users["pics"], content=content, media_ids=[m.pk for m in media])
            tweet_services.tweet_create(author=users["text"], content=content)
        for name in ("see_pics", "see_text"):
            rebuild_feed(users[name].pk)
    finally:
        app.conf.task_always_eager = eager
    clients = {
        name: Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(users[name]).access_token}")
        for name in ("see_pics", "see_text")
    }
    path = "/api/feed/?limit=20"
    times: dict[str, list[float]] = {"see_pics": [], "see_text": []}
    reads: dict[str, list[float]] = {"see_pics": [], "see_text": []}
    # As a gunicorn worker runs (gunicorn.conf.py, post_worker_init): what is loaded is moved
    # out of the collector's reach, so a full collection does not walk ~160,000 objects of
    # code and charge it to whichever request allocates most (here, the page with images).
    gc.freeze()
    queries: dict[str, int] = {}
    try:
        with override_settings(ALLOWED_HOSTS=["*"]):
            for _ in range(max(requests // 10, 20)):  # warm-up: caches, connections, plans
                for client in clients.values():
                    client.get(path)
            for name, client in clients.items():
                with CaptureQueriesContext(connection) as captured:
                    body = client.get(path).json()
                queries[name] = len(captured)
                media_count = sum(len(item["media"]) for item in body["results"])
                expected = 80 if name == "see_pics" else 0
                if len(body["results"]) != 20 or media_count != expected:
                    raise RuntimeError(f"{name}: {len(body['results'])} tweets, {media_count} media")
            order = list(clients)
            for i in range(requests):
                for name in order if i % 2 == 0 else reversed(order):
                    started = time.perf_counter()
                    timeline.feed_page(viewer=users[name], limit=20, offset=0)
                    reads[name].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    response = clients[name].get(path)
                    times[name].append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
    finally:
        gc.unfreeze()
        User.objects.filter(username__startswith="bmedia_").delete()
    same_queries = queries["see_pics"] == queries["see_text"]
    results = []
    for name, measured, what in (
        ("media_feed_read", reads, "feed_page"),
        ("media_feed_api", times, "GET /api/feed/"),
    ):
        pics50, text50 = statistics.median(measured["see_pics"]), statistics.median(measured["see_text"])
        results.append(
            Result(
                name=name,
                ours=f"4 images/tweet p50 {pics50 * 1000:.2f} ms",
                baseline=f"text only p50 {text50 * 1000:.2f} ms",
                ratio=pics50 / text50,
                goal="p50 <= 1.15x, same queries",
                met=pics50 / text50 <= 1.15 and same_queries,
                info={"measured": what, "requests_each": requests, "limit": 20, "queries": queries},
            )
        )
    return results
