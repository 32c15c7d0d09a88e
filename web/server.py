"""Run the web face: uvicorn on one address, and with a schedule, the scheduled refresh in the
same process (the refresh deployment ``ojp-search schedule`` serves, through ``flows.schedule``).

Without a schedule, uvicorn runs in the main thread and stops on Ctrl-C or SIGTERM. With one,
the web face runs in a thread and the main thread serves the Prefect deployment (a local Prefect
server is started when ``PREFECT_API_URL`` is not set), exactly as ``schedule`` does; stopping
the process stops both, and the local server with them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from index.datadir import DataDir
from web.app import create_app
from web.errors import WebError
from web.schedule import ScheduleInfo

MAX_CONNECTIONS = 200  # open connections and requests at once; more are answered 503
STARTUP_TIMEOUT_S = 30.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, or a one-line error (port in use, bad address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise WebError(f"cannot listen on {host}: {exc.strerror}.") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise WebError(f"cannot listen on {host}:{port}: {exc.strerror}.", "busy") from exc
    sock.listen(2048)  # connections wait for the server from now on, not refused
    sock.set_inheritable(True)
    return sock


def web_server(data_dir: DataDir, schedule: ScheduleInfo | None) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(data_dir, schedule=schedule),
        log_level="warning",
        access_log=False,
        server_header=False,
        limit_concurrency=MAX_CONNECTIONS,
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def run_service(
    data_dir: DataDir,
    *,
    host: str,
    port: int,
    say: Callable[[str], None],
    schedule: ScheduleInfo | None = None,
    deployment: Any = None,
) -> None:
    """Serve the web face on ``host:port`` until stopped; with a ``deployment``, also serve the
    scheduled refresh (``schedule`` describes it on the status page)."""
    sock = listening_socket(host, port)
    if not is_loopback(host):
        say(
            f"Warning: listening on {host}, not only this machine: the page has no login; "
            "anyone who can reach it can search and export."
        )
    server = web_server(data_dir, schedule if deployment is not None else None)
    bound = sock.getsockname()
    shown_host = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    address = f"http://{shown_host}:{bound[1]}/"
    if deployment is None:
        say(f"Serving {data_dir.root} at {address} . Press Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
        say("Stopped.")
        return
    from flows.schedule import prefect_api, serve_refresh

    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web")
    thread.start()
    try:
        wait_started(server, thread)
        say(f"Serving {data_dir.root} at {address} .")
        # SIGTERM stops it like Ctrl-C does: the local Prefect server is stopped on the way out.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with contextlib.suppress(KeyboardInterrupt), prefect_api(data_dir, say) as api_url:
            assert schedule is not None
            say(
                f"Refreshing {data_dir.root} {schedule.describe()}, one run at a time. "
                "Press Ctrl-C to stop."
            )
            serve_refresh(deployment, api_url)
    finally:
        server.should_exit = True
        thread.join(15)
    say("Stopped.")


def wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise WebError("the web server did not start.", "failed")
        time.sleep(0.05)
