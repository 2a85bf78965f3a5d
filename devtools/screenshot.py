"""`make screenshot`: the README's picture of the home timeline, from a real run.

Starts a whole `make run` (python -m devtools.dev run) in a var/ of its own (var/screenshot:
embedded PostgreSQL and Redis, fresh demo data from seed_demo, gunicorn and a Celery worker),
signs in as `demo` in Debian's chromium (Playwright, as the browser tests drive it), waits
until the worker has filled the timeline, and writes docs/screenshot-home.png (1280 px, light)
with docs/screenshot-home-dark.png and docs/screenshot-home-mobile.png (390 px) beside it;
then stops the run as a supervisor would (SIGTERM to its process group).

    python -m devtools.screenshot [--keep]   (--keep: reuse var/screenshot's data)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Literal

from devtools.dev import BASE_DIR, ensure_env_file, log
from devtools.processes import free_port

CHROMIUM = "/usr/bin/chromium"
DOCS = BASE_DIR / "docs"
# file name: (width, height, colour scheme)
SHOTS: dict[str, tuple[int, int, Literal["light", "dark"]]] = {
    "screenshot-home.png": (1280, 860, "light"),
    "screenshot-home-dark.png": (1280, 860, "dark"),
    "screenshot-home-mobile.png": (390, 844, "light"),
}


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def start_run(var: Path, port: int) -> subprocess.Popen[bytes]:
    """`make run` on `port` with its own var/, servers and logs (the checkout's URLs are not used)."""
    drop = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "LOG_FILE", "PORT", "CHIRP_VAR_DIR")
    env = {key: value for key, value in os.environ.items() if key not in drop and not key.startswith("MAKE")}
    env.update(CHIRP_VAR_DIR=str(var), PORT=str(port), WEB_WORKERS="1", WEB_THREADS="4")
    log_file = (var / "screenshot-run.out").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "devtools.dev", "run"],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_run(process: subprocess.Popen[bytes]) -> None:
    with_group = os.getpgid(process.pid)
    os.killpg(with_group, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(with_group, signal.SIGKILL)
        process.wait(timeout=10)


def take(base: str, password: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            for name, (width, height, scheme) in SHOTS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme, device_scale_factor=1
                )
                page = context.new_page()
                page.goto(base + "/login")
                page.get_by_role("textbox", name="Username", exact=True).fill("demo")
                page.get_by_label("Password", exact=True).fill(password)
                page.get_by_role("button", name="Sign in", exact=True).click()
                page.wait_for_url(base + "/")
                deadline = time.monotonic() + 120
                while page.get_by_role("article").count() < 20 and time.monotonic() < deadline:
                    time.sleep(1)  # the worker is still fanning the demo posts out
                    page.reload()
                page.evaluate("document.activeElement && document.activeElement.blur()")
                page.screenshot(path=str(DOCS / name))
                log(f"wrote docs/{name}")
                context.close()
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse var/screenshot (its database and demo data)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        log(f"{CHROMIUM} is missing: run `make browser-deps`")
        return 1
    password = os.environ.get("DEMO_PASSWORD") or ensure_env_file()["DEMO_PASSWORD"]
    var = BASE_DIR / "var" / "screenshot"
    if var.exists() and not args.keep:
        shutil.rmtree(var)
    var.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log(f"starting a run on port {port} in {var} (fresh demo data)")
    process = start_run(var, port)
    try:
        deadline = time.monotonic() + 600
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log(f"the run did not come up; see {var / 'screenshot-run.out'} and {var / 'log'}/")
                return 1
            time.sleep(1)
        DOCS.mkdir(exist_ok=True)
        take(f"http://127.0.0.1:{port}", password)
    finally:
        stop_run(process)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
