"""A real S3-speaking server for the tests: moto's server mode, started in this process on a free loopback
port. The portal's S3 store talks to it over HTTP with boto3, exactly as it would to MinIO or AWS.

`s3_server` (session fixture, imported by tests/conftest.py) yields an S3Server; `new_bucket()` gives each
user a bucket of its own; `age()` moves an object's last-write time back, as the server would report it
hours later (moto keeps its state in this process, so the test can reach it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import boto3
import pytest

REGION = "us-east-1"
# Any credentials do for moto; set in the environment because the portal takes them from boto3's chain.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "portal-test",
    "AWS_SECRET_ACCESS_KEY": "portal-test-secret",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@dataclass
class S3Server:
    endpoint: str

    def client(self):
        return boto3.session.Session().client("s3", endpoint_url=self.endpoint, region_name=REGION)

    def new_bucket(self) -> str:
        name = f"portal-test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "uploads") -> dict[str, str]:
        """Settings overrides (Settings.for_tests) for an app whose uploads live in the bucket."""
        return {
            "storage_url": f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}",
            "s3_endpoint_url": self.endpoint,
            "s3_region": REGION,
        }

    def keys(self, bucket: str) -> set[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}


def age(bucket: str, key: str, seconds: int) -> None:
    """Make the server report `key` as last written `seconds` earlier than it was."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    stored = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[bucket].keys[key]
    stored.last_modified = stored.last_modified - timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
