"""The upload store in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, moto), shared by every app machine.

Objects are `<prefix><stored name>` in one bucket; only the prefix's direct children are the store (names
never contain "/"), so folders under it (`.replaced-…/` kept by a restore) are not listed. A PutObject is
atomic: readers see the whole object or nothing. Credentials come from boto3's standard chain
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role…), never from the portal's settings.

The client is bounded on purpose: a store that hangs must not hold a request for ever. Connecting may take
CONNECT_TIMEOUT seconds, each read READ_TIMEOUT, and a failed call is tried ATTEMPTS times in all (the
"standard" retry mode: throttling and 5xx answers, with backoff). So the worst a request waits for one call
is about ATTEMPTS x (CONNECT_TIMEOUT + READ_TIMEOUT) = 26 s, under gunicorn's 60 s. Then the call raises
StorageUnavailable, which a request answers with a translated 503.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .backends import Entry, Missing, StorageUnavailable, StoredFile, check_name

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10
ATTEMPTS = 2
NOT_FOUND = {"NoSuchKey", "NotFound", "404"}


def _unavailable(error: Exception, what: str) -> StorageUnavailable:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return StorageUnavailable(
            f"S3 refused {what}: {code} {error.response.get('Error', {}).get('Message')}"
        )
    return StorageUnavailable(f"S3 could not {what}: {type(error).__name__}: {error}")


def _not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") in NOT_FOUND


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str = "", region: str = "") -> None:
        self.bucket, self.prefix = bucket, prefix
        self.endpoint_url, self.region = endpoint_url, region
        self._client: Any = None
        self._pid = 0

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def within(self, folder: str) -> S3Store:
        """The store one folder below this one (same bucket and client settings)."""
        return S3Store(self.bucket, f"{self.prefix}{folder}/", self.endpoint_url, self.region)

    @property
    def client(self) -> Any:
        # One client per process: gunicorn forks after the app is built, and a connection pool must not be
        # shared between processes.
        if self._client is None or self._pid != os.getpid():
            config = Config(
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
                # Path-style addressing (endpoint/bucket/key) is what MinIO, Ceph and moto expect.
                s3={"addressing_style": "path"} if self.endpoint_url else None,
            )
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url or None,
                region_name=self.region or None,
                config=config,
            )
            self._pid = os.getpid()
        return self._client

    def key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def put(self, name: str, data: bytes) -> None:
        key = self.key(name)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType="application/octet-stream"
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error, f"store {key}") from error

    def open(self, name: str) -> StoredFile:
        try:
            key = self.key(name)
        except ValueError:
            raise Missing(name) from None
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _not_found(error):
                raise Missing(name) from None
            raise _unavailable(error, f"read {key}") from error
        except BotoCoreError as error:
            raise _unavailable(error, f"read {key}") from error
        # The body is read from the connection as the response is sent, a chunk at a time.
        return StoredFile(answer["Body"], answer["ContentLength"], answer["LastModified"].timestamp())

    def _head(self, name: str) -> dict:
        try:
            key = self.key(name)
        except ValueError:
            raise Missing(name) from None
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _not_found(error):
                raise Missing(name) from None
            raise _unavailable(error, f"look up {key}") from error
        except BotoCoreError as error:
            raise _unavailable(error, f"look up {key}") from error

    def size(self, name: str) -> int:
        return int(self._head(name)["ContentLength"])

    def modified(self, name: str) -> float:
        return self._head(name)["LastModified"].timestamp()

    def exists(self, name: str) -> bool:
        try:
            self._head(name)
        except Missing:
            return False
        return True

    def delete(self, name: str) -> None:
        if not name or "/" in name or "\\" in name:
            raise ValueError("bad stored name")
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error, f"delete {self.prefix}{name}") from error

    def copy_from(self, other: S3Store, name: str) -> None:
        """Copy `name` from another folder of the same bucket, on the server (nothing passes through us)."""
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=self.key(name),
                CopySource={"Bucket": other.bucket, "Key": other.key(name)},
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error, f"copy {other.key(name)}") from error

    def entries(self) -> Iterator[Entry]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix, Delimiter="/"
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if name:
                        yield Entry(name, int(item["Size"]), item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error, f"list s3://{self.bucket}/{self.prefix}") from error

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error, f"reach bucket {self.bucket}") from error
