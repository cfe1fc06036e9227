"""PORTAL_STORAGE_URL, PORTAL_S3_ENDPOINT_URL and PORTAL_S3_REGION: read, normalised, refused with a clear
message; and the app built with them uses the store they name."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.settings import Settings, SettingsError
from portal.settings_secrets import new_storage_key
from portal.uploads import storage
from portal.uploads.backends import LocalStore
from portal.uploads.s3 import S3Store


def read(tmp_path, **env: str) -> Settings:
    # A shared store means several nodes, which must share one SECRET_KEY (tests/test_settings.py) and the
    # storage keys (tests/uploads/test_encryption.py).
    keys = {"PORTAL_STORAGE_KEYS": new_storage_key("k1")} if env.get("PORTAL_STORAGE_URL") else {}
    return Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40, **keys, **env})


def refused(tmp_path, **env: str) -> str:
    with pytest.raises(SettingsError) as caught:
        read(tmp_path, **env)
    return str(caught.value)


def test_the_default_is_the_local_folder(tmp_path):
    settings = read(tmp_path)
    assert (settings.storage_url, settings.s3_endpoint_url, settings.s3_region) == ("", "", "")
    app = create_app(settings)
    with app.app_context():
        store = storage.backend()
        assert isinstance(store, LocalStore) and store.root == tmp_path / "uploads"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("s3://portal-uploads", "s3://portal-uploads"),
        ("s3://portal-uploads/", "s3://portal-uploads"),
        ("s3://portal-uploads/son-la/uploads/", "s3://portal-uploads/son-la/uploads"),
        (" s3://portal.uploads.v2/a_b ", "s3://portal.uploads.v2/a_b"),
    ],
)
def test_an_s3_url_is_read_and_normalised(tmp_path, given, kept):
    settings = read(
        tmp_path,
        PORTAL_STORAGE_URL=given,
        PORTAL_S3_ENDPOINT_URL="http://127.0.0.1:9000/",
        PORTAL_S3_REGION="ap-southeast-1",
    )
    assert settings.storage_url == kept
    assert (settings.s3_endpoint_url, settings.s3_region) == ("http://127.0.0.1:9000", "ap-southeast-1")


def test_the_app_uses_the_bucket_and_prefix_it_names(tmp_path):
    app = create_app(
        read(
            tmp_path,
            PORTAL_STORAGE_URL="s3://portal-uploads/son-la/files",
            PORTAL_S3_ENDPOINT_URL="https://minio.internal:9000",
            PORTAL_S3_REGION="us-east-1",
        )
    )
    with app.app_context():
        store = storage.backend()
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.endpoint_url, store.region) == (
        "portal-uploads",
        "son-la/files/",
        "https://minio.internal:9000",
        "us-east-1",
    )
    assert store.key("abc.jpg") == "son-la/files/abc.jpg"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_STORAGE_URL": "/srv/uploads"}, "PORTAL_STORAGE_URL must be empty"),
        ({"PORTAL_STORAGE_URL": "gs://bucket/x"}, "PORTAL_STORAGE_URL must be empty"),
        ({"PORTAL_STORAGE_URL": "s3://key:secret@bucket/x"}, "PORTAL_STORAGE_URL must be empty"),
        ({"PORTAL_STORAGE_URL": "s3://bucket/x?acl=public"}, "PORTAL_STORAGE_URL must be empty"),
        ({"PORTAL_STORAGE_URL": "s3://Portal_Uploads/x"}, "the bucket name must be"),
        ({"PORTAL_STORAGE_URL": "s3://ab"}, "the bucket name must be"),
        ({"PORTAL_STORAGE_URL": "s3:///uploads"}, "the bucket name must be"),
        ({"PORTAL_STORAGE_URL": "s3://bucket/../other"}, "the prefix after the bucket"),
        ({"PORTAL_STORAGE_URL": "s3://bucket/a//b"}, "the prefix after the bucket"),
        ({"PORTAL_STORAGE_URL": "s3://bucket/.hidden"}, "the prefix after the bucket"),
        ({"PORTAL_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "need PORTAL_STORAGE_URL=s3://"),
        ({"PORTAL_S3_REGION": "us-east-1"}, "need PORTAL_STORAGE_URL=s3://"),
        (
            {"PORTAL_STORAGE_URL": "s3://bucket", "PORTAL_S3_ENDPOINT_URL": "minio:9000"},
            "PORTAL_S3_ENDPOINT_URL must be the store's http(s) address",
        ),
        (
            {"PORTAL_STORAGE_URL": "s3://bucket", "PORTAL_S3_REGION": "Asia Pacific"},
            "PORTAL_S3_REGION must be a region name",
        ),
    ],
)
def test_a_bad_storage_setting_is_refused_with_a_clear_message(tmp_path, env, message):
    assert message in refused(tmp_path, **env)


def test_storage_problems_are_listed_with_the_others(tmp_path):
    message = refused(tmp_path, PORTAL_STORAGE_URL="s3://A", SMTP_PORT="x")
    assert "the bucket name must be" in message and "SMTP_PORT" in message
