"""`make bench`'s logged-in rows: each reader's 200-comment post beside the guest's, and WordPress's."""

from bench.run import OWNER_ROW, SEED_POST_ROW, SOCIAL_ROW, WORDPRESS_ROW, print_reader_ratios

GUEST = {"page": SEED_POST_ROW, "rps": 600.0, "alone_ms": 3.0}
READERS = [{"page": OWNER_ROW, "rps": 400.0, "alone_ms": 4.5}, {"page": SOCIAL_ROW, "rps": 300.0, "alone_ms": 6.0}]


def test_each_logged_in_reader_is_compared_with_the_guest_of_the_same_run(capsys):
    print_reader_ratios("sqlite", [GUEST, *READERS])
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"sqlite: {OWNER_ROW}: 1.50x the guest's time under load (400 against 600 req/s), "
        "alone 4.50 ms against 3.00 ms",
        f"sqlite: {SOCIAL_ROW}: 2.00x the guest's time under load (300 against 600 req/s), "
        "alone 6.00 ms against 3.00 ms",
    ]


def test_with_wordpress_each_reader_gets_its_ratio_to_wordpress_too(capsys):
    print_reader_ratios("postgres", [GUEST, *READERS, {"page": WORDPRESS_ROW, "rps": 30.0}])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("; 13.3x WordPress's requests per second (target 10x)")
    assert lines[1].endswith("; 10.0x WordPress's requests per second (target 10x)")


def test_a_run_without_reader_rows_prints_no_reader_line(capsys):
    print_reader_ratios("sqlite", [GUEST])
    assert capsys.readouterr().out == ""
