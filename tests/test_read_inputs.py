"""One entry point: `read` and `marsad ingest` tell archives, feeds, sitemaps, URLs and pages
apart by suffix and content."""

import html

import pytest
from click.testing import CliRunner
from local_inputs import demo_html, serve, warc_bytes

from marsad.cli import main
from marsad.read.inputs import xml_root


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b"<?xml version='1.0'?>\n<rss version='2.0'>", "rss"),
        (
            b"\xef\xbb\xbf<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!-- c --><feed",
            "feed",
        ),
        (b"<rdf:RDF xmlns:rdf='x'>", "rdf"),
        (b"<!DOCTYPE urlset><urlset xmlns='x'>", "urlset"),
        (b"<!doctype html><html lang='ar'>", "html"),
        (b"  \n\t<sitemapindex>", "sitemapindex"),
        (b"<?xml version='1.0'", None),  # cut inside the declaration
        (b"plain text", None),
        (b" " * 4096, None),
    ],
)
def test_the_root_element_says_what_an_xml_file_is(head, root):
    assert xml_root(head) == root


def test_ingest_takes_archives_feeds_and_sitemaps_in_one_command(tmp_path):
    site = tmp_path / "site"
    pages = demo_html(site)
    with serve(site) as (base, _):
        archive = tmp_path / "crawl.warc.gz"
        archive.write_bytes(warc_bytes(
            [("response", f"https://news.example/{p.name}", "text/html", "200 OK", p.read_bytes())
             for p in pages[:2]]
            + [("request", "https://news.example/", "application/http; msgtype=request", "",
                b"GET / HTTP/1.1\r\n\r\n")]
        ))  # fmt: skip
        feed = tmp_path / "feed.xml"
        items = "".join(f"<item><title>{html.escape(p.stem)}</title><link>{base}/{p.name}"
                        "</link></item>" for p in pages[2:4])  # fmt: skip
        feed.write_text(f"<rss version='2.0'><channel>{items}</channel></rss>", encoding="utf-8")
        sitemap = tmp_path / "sitemap.xml"
        urls = "".join(f"<url><loc>{base}/{p.name}</loc></url>" for p in pages[4:])
        sitemap.write_text(f"<urlset>{urls}</urlset>", encoding="utf-8")
        db = str(tmp_path / "news.db")
        args = ["ingest", str(archive), str(feed), str(sitemap), "--db", db, "--workers", "1"]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"pages: {len(pages)} read, {len(pages)} new" in result.output
    assert "archive records holding no page, skipped: 1 (1 request records)" in result.output
