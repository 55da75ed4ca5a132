"""Files the importer must refuse: a clear error naming the line, and nothing written."""

import pytest

from tests.support.wxr import import_bytes, row_counts
from wordpress.wxr.reader import WXRError

NOTHING = {"users": 0, "terms": 0, "posts": 0, "comments": 0, "post_terms": 0}


def line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def rss_line(data: bytes) -> int:
    """The line where <rss ...> ends, which is the line libxml2 gives the element."""
    return data[: data.index(b">", data.index(b"<rss"))].count(b"\n") + 1


def without(data: bytes, marker: bytes, start: bytes, end: bytes) -> bytes:
    at = data.index(marker)
    begin = data.rindex(start, 0, at)
    return data[:begin] + data[data.index(end, at) + len(end) :]


def truncated(data):
    cut = data[: len(data) * 2 // 3]
    return cut, cut.count(b"\n") + 1, "truncated"


def mismatched_tag(data):
    bad = data.replace(b"</wp:comment_author>", b"</wp:comment_autor>", 1)
    return bad, line_of(bad, b"</wp:comment_autor>"), "mismatch"


def unknown_namespace(data):
    bad = data.replace(b"http://wordpress.org/export/1.2/", b"http://wordpress.org/export/1.3/")
    return bad, rss_line(bad), "unknown WordPress export namespace"


def unknown_version(data):
    bad = data.replace(b"<wp:wxr_version>1.2<", b"<wp:wxr_version>7.0<")
    return bad, line_of(bad, b"<wp:wxr_version>"), "unknown WXR version '7.0'"


def not_wordpress(data):
    bad = data.replace(b'xmlns:wp="http://wordpress.org/export/1.2/"', b'xmlns:wp="urn:x"')
    return bad, rss_line(bad), "not a WordPress export"


def missing_parent(data):
    # Comment 5 replies to comment 4; take 4 out and 5 is an orphan.
    bad = without(data, b"<wp:comment_id>4</wp:comment_id>", b"<wp:comment>", b"</wp:comment>")
    at = bad.index(b"<wp:comment_id>5</wp:comment_id>")
    line = bad[: bad.rindex(b"<wp:comment>", 0, at)].count(b"\n") + 1
    return bad, line, "comment 5 replies to comment 4, which is not in the file"


def reply_loop(data):
    bad = data.replace(
        b"<wp:comment_parent>0</wp:comment_parent>", b"<wp:comment_parent>5</wp:comment_parent>", 1
    )
    at = bad.index(b"<wp:comment_id>2</wp:comment_id>")
    line = bad[: bad.rindex(b"<wp:comment>", 0, at)].count(b"\n") + 1
    return bad, line, "its own ancestor"


def invalid_bytes(data):
    bad = data.replace("Mélanie".encode(), b"M\xe9lanie", 1)
    return bad, line_of(bad, b"M\xe9lanie"), "do not match its declared encoding"


def unsupported_encoding(data):
    bad = data.replace(b'encoding="UTF-8"', b'encoding="X-KLINGON"', 1)
    return bad, 1, "Unsupported encoding"


def empty(data):
    return b"", 1, "empty or is not XML"


def not_xml(data):
    return b"PK\x03\x04 this is a zip file", 1, "Start tag expected"


def bad_number(data):
    bad = data.replace(b"<wp:post_id>11</wp:post_id>", b"<wp:post_id>eleven</wp:post_id>")
    at = bad.index(b"<wp:post_id>eleven")
    return (
        bad,
        bad[: bad.rindex(b"<item>", 0, at)].count(b"\n") + 1,
        "wp:post_id should be a number",
    )


def bad_date(data):
    bad = data.replace(
        b"<wp:comment_date_gmt><![CDATA[2024-05-02 18:45:00]]>",
        b"<wp:comment_date_gmt><![CDATA[yesterday]]>",
    )
    at = bad.index(b"yesterday")
    return bad, bad[: bad.rindex(b"<wp:comment>", 0, at)].count(b"\n") + 1, "should be a date"


CASES = [
    truncated,
    mismatched_tag,
    unknown_namespace,
    unknown_version,
    not_wordpress,
    missing_parent,
    reply_loop,
    invalid_bytes,
    unsupported_encoding,
    empty,
    not_xml,
    bad_number,
    bad_date,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_bad_file_is_refused_naming_the_line_and_nothing_is_imported(wxr_app, sample_bytes, case):
    data, line, message = case(sample_bytes)
    with pytest.raises(WXRError) as raised:
        import_bytes(data)
    assert raised.value.line == line, str(raised.value)
    assert str(raised.value).startswith(f"line {line}: ")
    assert message in str(raised.value)
    assert row_counts() == NOTHING


def test_orphaned_reply_can_be_imported_at_the_top_level_on_request(wxr_app, sample_bytes):
    data, line, _ = missing_parent(sample_bytes)
    report = import_bytes(data, orphans="top-level")
    assert report.imported["comments"] == 33
    assert any(
        w.startswith(f"line {line}: comment 5 replies to comment 4") for w in report.warnings
    )
    import sqlalchemy as sa

    from blog.models import Comment
    from extensions import db

    orphan = db.session.scalar(sa.select(Comment).where(Comment.wp_id == 5))
    assert (orphan.parent_id, orphan.root_id, orphan.depth) == (None, orphan.id, 0)


def test_cli_reports_a_bad_file_with_its_line_and_exit_status(wxr_app, sample_bytes, tmp_path):
    data, line, _ = truncated(sample_bytes)
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    result = wxr_app.test_cli_runner().invoke(args=["wxr", "import", str(path)])
    assert result.exit_code == 1
    assert f"export.xml: line {line}: " in result.output
    assert "Nothing was imported." in result.output
    assert row_counts() == NOTHING


def test_entity_expansion_is_refused(wxr_app):
    lol = b"".join(b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, 9))
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY l0 "lol">' + lol + b"]>\n"
        b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&l8;</title>'
        b"</channel></rss>"
    )
    with pytest.raises(WXRError):
        import_bytes(data)
    assert row_counts() == NOTHING
