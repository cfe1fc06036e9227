"""Text responses are gzipped for clients that accept it; the content is unchanged. Pages are compressed
as they are sent, static files once (a copy in the instance folder)."""

import gzip

from portal.compression import STATIC_GZIP, StaticGzip
from portal.settings import ROOT


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


def test_a_client_that_refuses_gzip_gets_the_page_plain(client):
    """`gzip;q=0` refuses gzip (RFC 9110 12.5.3); it was read as taking it, as was any header naming gzip."""
    plain = client.get("/procedures").get_data()
    for refused in ("gzip;q=0", "br, gzip;q=0", "gzip; q=0.0, identity", "*;q=0.5, gzip;q=0"):
        response = client.get("/procedures", headers={"Accept-Encoding": refused})
        assert "Content-Encoding" not in response.headers, refused
        assert response.get_data() == plain, refused
        css = client.get("/static/css/portal.css", headers={"Accept-Encoding": refused})
        assert "Content-Encoding" not in css.headers, refused
        css.close()
    for taken in ("gzip;q=0.5", "br;q=1.0, gzip;q=0.8", "*", "identity, *;q=0.1", "GZIP"):
        response = client.get("/procedures", headers={"Accept-Encoding": taken})
        assert response.headers.get("Content-Encoding") == "gzip", taken
        assert gzip.decompress(response.get_data()) == plain, taken


def test_the_gzip_rule_reads_tokens_and_weights_not_substrings(client):
    """One tokenizer for every header (review of 07/12/2026): the unweighted shortcut matched the substring
    "gzip", so "notgzip" took gzip while "x-gzip;q=1" (gzip's alias, RFC 9110 8.4.1.3) did not; a weight
    that is not a number from 0 to 1 refuses; a header of more than MAX_ACCEPT_ENCODING bytes is answered
    without gzip instead of being parsed on every answer."""
    from portal.compression import MAX_ACCEPT_ENCODING

    plain = client.get("/procedures").get_data()
    long_list = ", ".join(f"coding{n}" for n in range(200)) + ", gzip"
    assert len(long_list) > MAX_ACCEPT_ENCODING
    refused = ["notgzip", "gzipped", "gzip;q=abc", "gzip;q=-1", "gzip;q=1.5", "gzip;q=nan", ",,,;", long_list]
    for header in refused:
        response = client.get("/procedures", headers={"Accept-Encoding": header})
        assert "Content-Encoding" not in response.headers, header
        assert response.get_data() == plain, header
    for header in (
        "x-gzip",
        "X-GZIP",
        "x-gzip;q=1",
        "x-gzip, *;q=0",
        "deflate , gzip ;q=0.001",
        "gzip;q=1, *;q=0",
    ):
        response = client.get("/procedures", headers={"Accept-Encoding": header})
        assert response.headers.get("Content-Encoding") == "gzip", header
        assert gzip.decompress(response.get_data()) == plain, header


def test_conditional_static_request_still_answers_304(client):
    first = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    first.close()
    second = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert second.status_code == 304
    assert second.get_data() == b""
    second.close()


def count_compressions(monkeypatch) -> list[int]:
    """The sizes of the bodies gzip.compress is called on from now on."""
    calls: list[int] = []
    real = gzip.compress

    def counting(data, *args, **kwargs):
        calls.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(gzip, "compress", counting)
    return calls


def test_static_files_are_not_compressed_per_request(client, monkeypatch):
    calls = count_compressions(monkeypatch)
    source = (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").read_bytes()
    for _ in range(2):
        response = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert gzip.decompress(response.get_data()) == source
        assert int(response.headers["Content-Length"]) == len(response.get_data()) < len(source) / 3
        response.close()
    assert calls == []  # the copy made at start-up was served both times


def test_pages_are_still_compressed_per_request(client, monkeypatch):
    calls = count_compressions(monkeypatch)
    for _ in range(2):
        response = client.get("/procedures", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
    assert len(calls) == 2


def test_plain_static_file_for_clients_without_gzip(client):
    response = client.get("/static/css/portal.css")
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]  # caches keep the two variants apart
    assert response.get_data() == (ROOT / "static" / "css" / "portal.css").read_bytes()
    response.close()


def test_copies_follow_the_file(tmp_path, monkeypatch):
    static, store = tmp_path / "static", tmp_path / "instance" / STATIC_GZIP
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body { color: black; }\n" * 100)
    (static / "css" / "site.css.map").write_text("{}" * 400)
    (static / "tiny.js").write_text("let a = 1;\n")
    (static / "logo.png").write_bytes(b"\x89PNG" + bytes(1000))
    copies = StaticGzip(static, store)
    copies.make_all()
    made = sorted(path.relative_to(store).as_posix() for path in store.rglob("*.gz"))
    assert [name.split(".css")[0] for name in made] == ["css/site"]  # small, binary and unknown: none
    calls = count_compressions(monkeypatch)
    first = copies.copy_for("css/site.css")
    assert first is not None and first.is_file()
    assert calls == []
    (static / "css" / "site.css").write_text("body { color: navy; }\n" * 100)
    second = copies.copy_for("css/site.css")
    assert second is not None and second != first
    assert gzip.decompress(second.read_bytes()) == (static / "css" / "site.css").read_bytes()
    assert len(calls) == 1
    assert not first.exists()  # the stale copy is gone
    assert copies.copy_for("css/site.css") == second and len(calls) == 1
    assert copies.copy_for("tiny.js") is None
    assert copies.copy_for("../instance/x") is None
    assert copies.copy_for("css/missing.css") is None
