from dataclasses import replace

import pytest

from tests.support.sms import Gateway


@pytest.fixture
def gateway(app, monkeypatch):
    """The local eSMS-like gateway, and the app configured to send through it."""
    with Gateway() as server:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=server.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        yield server
