"""Run the stream process: uvicorn (httptools, uvloop) serving streaming.asgi, one process.

SIGTERM (or Ctrl-C): stop accepting, end every stream cleanly (SSE responses end, WebSockets
are closed with 1001), then let uvicorn finish; a connection still open after
STREAMING_SHUTDOWN_SECONDS is cut. Scale out by running more processes behind the proxy.
"""

import socket

import uvicorn
from django.conf import settings


class StreamingServer(uvicorn.Server):
    """uvicorn's server, telling the hub to close its streams before waiting for them."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        from streaming.asgi import hub

        for server in self.servers:
            server.close()
        await hub.close_all()
        await super().shutdown(sockets)


def serve(*, host: str, port: int) -> None:
    from streaming.asgi import application

    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="on",
        access_log=False,
        log_config=None,  # Django's LOGGING (JSON lines) is already in place
        proxy_headers=True,
        forwarded_allow_ips=settings.STREAMING_FORWARDED_ALLOW_IPS,
        ws_max_size=64 * 1024,  # subscribe messages are tiny
        ws_ping_interval=20,
        ws_ping_timeout=20,
        backlog=4096,
        timeout_graceful_shutdown=settings.STREAMING_SHUTDOWN_SECONDS,
        timeout_keep_alive=5,
    )
    StreamingServer(config).run()
