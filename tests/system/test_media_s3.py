"""Media on S3 (django-storages) against a real S3-compatible server: moto's standalone server,
started here on a free loopback port, and the app under gunicorn configured by the environment
only (MEDIA_S3_BUCKET, MEDIA_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as in
production: upload, serve (from the bucket), delete (the tweet's files leave the bucket)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from PIL import Image

from devtools.processes import free_port, stop, wait_for_port
from devtools.servers import AppServer
from devtools.testing import test_database_url
from media.tests import images

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # the server reads committed rows

KEYS = {"AWS_ACCESS_KEY_ID": "chirp-test", "AWS_SECRET_ACCESS_KEY": "chirp-test-secret"}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's S3-compatible server (`python -m moto.server`) on 127.0.0.1:<free port>."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="chirp-moto-", suffix=".log")[1])
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_for_port(port, timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.unlink(missing_ok=True)


@pytest.fixture
def bucket(moto_url: str) -> Iterator[tuple[str, object]]:
    name = f"chirp-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1", **_boto_keys())
    client.create_bucket(Bucket=name)
    # Public reads, as a deployment's bucket has them (docker-compose.yml's minio-setup): the
    # files are fetched by anyone with their (unguessable) URL, writes need the keys.
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    yield name, client


def _boto_keys() -> dict[str, str]:
    return {"aws_access_key_id": KEYS["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": KEYS["AWS_SECRET_ACCESS_KEY"]}


@pytest.fixture
def server(moto_url, bucket, settings) -> Iterator[AppServer]:  # type: ignore[no-untyped-def]
    name, _ = bucket
    env = {
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # No worker here: the after-commit deletion task runs in the web process.
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "CONN_MAX_AGE": "0",
        "MEDIA_S3_BUCKET": name,
        "MEDIA_S3_ENDPOINT_URL": moto_url,
        "MEDIA_S3_REGION": "us-east-1",
        **KEYS,
    }
    app = AppServer(env)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def objects_in(bucket: tuple[str, object]) -> list[str]:
    name, client = bucket
    listing = client.list_objects_v2(Bucket=name)  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_upload_serve_and_delete_on_s3(server, bucket, moto_url):
    name, _ = bucket
    headers = server.register("s3user")
    photo = images.jpeg_with_everything(images.photo(900, 600))

    # Upload: both files land in the bucket under random names; the URLs point at the bucket.
    response = requests.post(
        f"{server.url}/api/media/",
        files={"file": ("holiday.jpg", photo, "image/jpeg")},
        data={"description": "on S3"},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    media = response.json()
    stored = objects_in(bucket)
    assert len(stored) == 2
    assert media["url"].startswith(f"{moto_url}/{name}/") and media["url"].removeprefix(f"{moto_url}/{name}/") in stored
    assert media["preview_url"].removeprefix(f"{moto_url}/{name}/") in stored

    # Serve: the bucket answers the public URL with the re-encoded image and its real type.
    served = requests.get(media["url"], timeout=30)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in served.headers.get("Cache-Control", "")
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "JPEG" and image.size == (900, 600)
    for secret in images.SECRETS.values():
        assert secret not in served.content

    # A refused upload adds nothing to the bucket.
    refused = requests.post(
        f"{server.url}/api/media/",
        files={"file": ("evil.jpg", images.HTML, "image/jpeg")},
        headers=headers,
        timeout=30,
    )
    assert refused.status_code == 400 and "file" in refused.json()
    assert objects_in(bucket) == stored

    # Delete: the tweet's deletion removes its files from the bucket after the commit.
    tweet = requests.post(
        f"{server.url}/api/tweets/", json={"content": "", "media_ids": [media["id"]]}, headers=headers, timeout=30
    ).json()
    assert tweet["media"] == [media]
    assert requests.delete(f"{server.url}/api/tweets/{tweet['id']}/", headers=headers, timeout=30).status_code == 204
    assert objects_in(bucket) == []
    assert requests.get(media["url"], timeout=30).status_code == 404
