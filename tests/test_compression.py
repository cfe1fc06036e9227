"""Text responses are gzipped for clients that accept it; the content is unchanged."""

import gzip


def test_html_is_gzipped(client):
    plain = client.get("/procedures").get_data()
    response = client.get("/procedures", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.get_data()) == plain
    assert len(response.get_data()) < len(plain) / 3


def test_static_css_is_gzipped(client):
    response = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"--brand" in gzip.decompress(response.get_data())
    response.close()


def test_no_gzip_without_accept_encoding(client):
    response = client.get("/procedures")
    assert "Content-Encoding" not in response.headers


def test_conditional_static_request_still_answers_304(client):
    first = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    first.close()
    second = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert second.status_code == 304
    assert second.get_data() == b""
    second.close()
