"""gunicorn settings read from this folder by every gunicorn started here (make run, tests, soak, bench, image).

Only what must hold wherever gunicorn serves Chirp; the command lines set the rest.
"""

try:  # what gunicorn drains of an unread request body before it reuses the connection
    from gunicorn.http.parser import _DRAIN_MAX_BYTES as DRAIN_LIMIT
except ImportError:  # pragma: no cover - a gunicorn without the bound
    DRAIN_LIMIT = 64 * 1024

# Several gunicorns run on one machine (make run, tests, bench): none needs the runtime
# control socket, and they would share its default path in the home directory.
control_socket_disable = True


def pre_request(worker, req):  # type: ignore[no-untyped-def]
    """Close, rather than keep alive, a connection whose request body may not be drained after the answer.

    The app refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413) without reading it, and
    gunicorn drains at most DRAIN_LIMIT bytes of an unread body before the next request on
    the connection: past that it dropped the connection after announcing keep-alive, so the
    client's next request got no answer. Marked here, the answer says `Connection: close`.
    """
    worker.log.debug("%s %s", req.method, req.path)
    length = chunked = None
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            length = value
        elif name == "TRANSFER-ENCODING":
            chunked = "chunked" in value.lower()
    too_long = length is not None and (not length.isdigit() or int(length) > DRAIN_LIMIT)
    if too_long or chunked:
        req.force_close()


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Move what the worker loaded (Django, the apps, their modules) out of the garbage
    collector's reach: `gc.freeze()`. A full collection then walks only what requests
    allocate, not the ~160,000 objects of the loaded code, which never become garbage.
    Measured (bench/README.md, "HTTP"): a feed request 1.61 -> 1.34 ms of CPU in-process; under
    wrk, p99 of GET /api/feed/ 270-280 -> 110-120 ms (the full collections' pauses are gone)."""
    import gc

    gc.freeze()
