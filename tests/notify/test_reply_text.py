"""The new text of a mailed reply (notify.inbound.reply_text): what each mail client's reply keeps
of the reader's words, and what of the quote, signature and boilerplate it loses."""

import email
import email.policy
from pathlib import Path

import pytest

from notify.inbound.reply_text import REPLY_MARKER, new_text, unflow
from tests.support.i18n import translated

SAMPLES = Path(__file__).parent / "inbound_samples"
QUOTED = ("Bernoulli", "Reply above this line", "wrote:", "From:", "Sent:", "Engines of Thought")

GMAIL = ("The difference engine chapter finally made carry propagation click for me — a naïve question though: "
         "did Babbage ever build the anticipating carriage?\n\nCould you write about the Jacquard loom next?")
THUNDERBIRD = ("I tried the emulator from the article on a Raspberry Pi and it ran the whole demo program in under "
               "a second – which says more about the Pi than about the engine.\n\nNext time, maybe show the "
               "assembly cards?")
EXPECTED_PLAIN = {
    "gmail.eml": GMAIL,
    "outlook_desktop.eml": "I’d like to see the benchmarks for the €5 board before I order one.\n\nThanks,\nLinus",
    "outlook_ios.eml": "Great point about the punched cards, I never thought of them as the first software.",
    "apple_mail.eml": "Row seven is correct in the second edition; the typo was only in the first printing.\n\n"
                      "Cheers,\nCharles",
    "thunderbird.eml": THUNDERBIRD,
    "attachment.eml": "I have attached the errata as a PDF, and the chart below shows the carry\n"
                      "timings we measured on the replica.\n\nHedy",
    "html_only.eml": 'The <strong>second diagram</strong> is wrong: the mill and the store are swapped.\n\n'
                     'See <a href="https://example.org/diagram">my corrected version</a> and <a>this trick</a>.\n\n'
                     'Größe matters &amp; so does order.',
    "only_quoted.eml": "",
}
EXPECTED_HTML = {
    "gmail.eml": GMAIL.replace("Jacquard loom", "<b>Jacquard loom</b>"),
    "outlook_desktop.eml": "I’d like to see the benchmarks for the €5 board before I order one.\n\nThanks,\n\nLinus",
    "outlook_ios.eml": "Great point about the punched cards, I never thought of them as the first software.",
    "apple_mail.eml": "Row seven is correct in the second edition; the typo was only in the <i>first</i> printing."
                      "\n\nCheers,\n\nCharles",
    "thunderbird.eml": THUNDERBIRD,
    "attachment.eml": "I have attached the errata as a PDF, and the chart below shows the carry timings we "
                      "measured on the replica.\n\nHedy",
}


def sample(name: str) -> email.message.EmailMessage:
    return email.message_from_bytes((SAMPLES / name).read_bytes(), policy=email.policy.default)


def html_part(message: email.message.EmailMessage) -> email.message.EmailMessage:
    return next(part for part in message.walk() if part.get_content_type() == "text/html")


def mail(body: str | bytes, *, kind: str = "text/plain", params: str = "; charset=utf-8", headers: str = "",
         encoding: str = "8bit") -> email.message.EmailMessage:
    """A one-part mail as a mail server hands it over."""
    head = (f"From: Reader <reader@example.org>\nSubject: Re: New comment\nMIME-Version: 1.0\n{headers}"
            f"Content-Type: {kind}{params}\nContent-Transfer-Encoding: {encoding}\n\n").encode()
    return email.message_from_bytes(head + (body.encode() if isinstance(body, str) else body),
                                    policy=email.policy.default)


def alternative(plain: str, html: str) -> email.message.EmailMessage:
    raw = ("From: r@example.org\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=B\n\n"
           f"--B\nContent-Type: text/plain; charset=utf-8\n\n{plain}\n--B\nContent-Type: text/html; charset=utf-8\n\n"
           f"{html}\n--B--\n")
    return email.message_from_bytes(raw.encode(), policy=email.policy.default)


@pytest.mark.parametrize("name", sorted(EXPECTED_PLAIN))
def test_each_client_reply_keeps_exactly_the_readers_new_text(name):
    text = new_text(sample(name))

    assert text == EXPECTED_PLAIN[name]
    assert not [word for word in QUOTED if word in text]


@pytest.mark.parametrize("name", sorted(EXPECTED_HTML))
def test_each_clients_html_alone_gives_the_same_new_text_as_comment_markup(name):
    text = new_text(html_part(sample(name)))

    assert text == EXPECTED_HTML[name]
    assert not [word for word in QUOTED if word in text]


@pytest.mark.parametrize(("name", "signature"), [("gmail.eml", "grace.example"), ("thunderbird.eml", "Zuse")])
def test_signatures_are_left_out(name, signature):
    assert signature not in new_text(sample(name))
    assert signature not in new_text(html_part(sample(name)))


def test_attachments_and_inline_images_are_ignored():
    text = new_text(sample("attachment.eml"))

    assert "measurements" not in text and "carry 1 took" not in text
    assert "cid:" not in text and "%PDF" not in text and "iVBOR" not in text


def test_crlf_line_ends_read_like_lf():
    raw = (SAMPLES / "gmail.eml").read_bytes().replace(b"\n", b"\r\n")

    assert new_text(email.message_from_bytes(raw, policy=email.policy.default)) == GMAIL


def test_a_quoted_iphone_header_and_sent_from_my_iphone_are_left_out():
    body = ("Thanks, that settles it.\n\nSent from my iPhone\n\n> On 7 Dec 2026, at 10:02, Engines of Thought "
            "<reply+r1@blog.example> wrote:\n> \n> The Bernoulli numbers table has an error.\n")

    assert new_text(mail(body)) == "Thanks, that settles it."


@pytest.mark.parametrize("boilerplate", [
    "Sent from my iPad", "Sent from my Samsung Galaxy smartphone.", "Get Outlook for Android",
    "Get Outlook for iOS<https://aka.ms/o0ukef>", "Sent from Mail for Windows", "Sent from Yahoo Mail for iPhone",
    "Sent from Yahoo Mail on Android", "Von meinem iPhone gesendet", "Envoyé de mon iPhone",
])
def test_client_boilerplate_at_the_end_is_left_out(boilerplate):
    assert new_text(mail(f"Lovely write-up.\n\n{boilerplate}\n")) == "Lovely write-up."


def test_boilerplate_words_inside_the_text_are_kept():
    body = "I wrote this on the train.\nSent from my iPhone, as you can tell.\nCheers"

    assert new_text(mail(body)) == body


@pytest.mark.parametrize("header", [
    "On Mon, 7 Dec 2026 at 10:02, Ada Lovelace <ada@example.org> wrote:",
    "On Mon, 7 Dec 2026 at 10:02, Ada Lovelace <\nada@example.org> wrote:",
    "On 7 Dec 2026, at 10:02, Ada Lovelace <ada@example.org> wrote:",
    "On 12/7/26 10:02 AM, Ada Lovelace wrote:",
    "Am 07.12.2026 um 10:02 schrieb Ada Lovelace <ada@example.org>:",
    "Le lun. 7 déc. 2026 à 10:02, Ada Lovelace <ada@example.org> a écrit :",
    "El lun, 7 dic 2026 a las 10:02, Ada Lovelace (<ada@example.org>) escribió:",
    "Den 7 dec. 2026 kl. 10:02 skrev Ada Lovelace <ada@example.org>:",
])
def test_the_quote_header_and_the_quote_under_it_are_left_out(header):
    body = f"Agreed on row seven.\n\n{header}\n\n> The Bernoulli numbers table has an error.\n>\n> Ada\n"

    assert new_text(mail(body)) == "Agreed on row seven."


@pytest.mark.parametrize("header", [
    "On Mon, 7 Dec 2026 at 10:02, Engines of Thought <reply@blog.example> wrote:",
    "Den 7 dec. 2026 kl. 10:02 skrev Engines of Thought <reply@blog.example>:",
])
def test_everything_from_the_reply_marker_goes_with_the_header_above_it(header):
    body = (f"Agreed on row seven.\n\n{header}\n-- {REPLY_MARKER} to answer Ada --\n\n"
            "Ada Lovelace commented: The Bernoulli numbers table has an error.\n")

    assert new_text(mail(body)) == "Agreed on row seven."


def test_an_unquoted_reply_marker_cuts_the_text_there():
    body = f"Short answer: yes.\n-- {REPLY_MARKER} to answer Ada --\nAda Lovelace commented: Bernoulli.\n"

    assert new_text(mail(body)) == "Short answer: yes."


@pytest.mark.parametrize("separator", [
    "-----Original Message-----",
    "-----Ursprüngliche Nachricht-----",
    "________________________________\nFrom: Engines of Thought <reply@blog.example>\nSent: Monday, December 7, "
    "2026 10:02 AM\nTo: Reader <reader@example.org>\nSubject: New comment",
    "*From:* Engines of Thought <reply@blog.example>\n*Sent:* Monday, December 7, 2026 10:02 AM\n"
    "*To:* Reader <reader@example.org>",
    "Von: Engines of Thought <reply@blog.example>\nGesendet: Montag, 7. Dezember 2026 10:02\nAn: Leser\n"
    "Betreff: Neuer Kommentar",
    "---------- Forwarded message ---------",
])
def test_outlook_style_quotes_and_everything_after_them_are_left_out(separator):
    body = f"See my notes below.\n\n{separator}\n\nThe Bernoulli numbers table has an error.\n"

    assert new_text(mail(body)) == "See my notes below."


def test_a_from_line_in_the_readers_text_is_kept():
    body = "From: the second edition, page 12.\nTo: everyone who asked, thanks."

    assert new_text(mail(body)) == body


def test_a_reply_written_below_the_quote_is_kept():
    body = ("On Mon, 7 Dec 2026 at 10:02, Ada Lovelace <ada@example.org> wrote:\n> The Bernoulli numbers table "
            "has an error.\n> Row seven.\n\nNo, row seven is right: check the second edition.\n\n-- \nAlan\n")

    assert new_text(mail(body)) == "No, row seven is right: check the second edition."


def test_answers_between_quoted_lines_keep_the_lines_they_answer():
    body = ("On 12/7/26 10:02 AM, Ada Lovelace wrote:\n> Is row seven wrong?\n\nYes.\n\n> And row eight?\n\n"
            "No.\n\n> Thanks, Ada\n")

    assert new_text(mail(body)) == "Yes.\n\n> And row eight?\n\nNo."


def test_trailing_and_leading_quoted_lines_are_left_out():
    assert new_text(mail("> what you said\n\nMy answer.\n\n> more of it\n>\n")) == "My answer."


@pytest.mark.parametrize("body", [
    "", "   \n\n  ", "> only\n> quoted\n", "On 12/7/26 10:02 AM, Ada wrote:\n> only quoted\n",
    f"-- {REPLY_MARKER} --\nthe notification\n", "-- \nJust a signature\n", "Sent from my iPhone\n",
])
def test_a_message_with_nothing_new_gives_no_text(body):
    assert new_text(mail(body)) == ""


def test_the_signature_delimiter_ends_the_text():
    assert new_text(mail("Nice.\n-- \nAda\nhttps://ada.example\n")) == "Nice."
    assert new_text(mail("Nice.\n--\nAda\n")) == "Nice."


def test_a_double_dash_inside_a_line_is_text():
    assert new_text(mail("Nice -- really.\n")) == "Nice -- really."


def test_many_blank_lines_become_one_paragraph_break():
    assert new_text(mail("\n\n  First.\n\n\n\n\nSecond.\n \n\t\n\nThird.  \n\n\n")) == "First.\n\nSecond.\n\nThird."


def test_plain_text_keeps_only_the_comment_boxs_tags():
    body = 'Try <b>bold</b>, <script>alert(1)</script> and <div class="x">this</div>: a < b, mail <ada@example.org>.'

    assert new_text(mail(body)) == "Try <b>bold</b>, alert(1) and this: a < b, mail <ada@example.org>."


def test_image_placeholders_in_plain_text_are_left_out():
    body = "Here is the chart:\n[image: chart.png]\n[cid:chart@x]\nDone."

    assert new_text(mail(body)) == "Here is the chart:\n\nDone."


def test_format_flowed_lines_are_joined():
    body = "This line goes on \nand on \nuntil here.\nNew line.\n\n> quoted and \n> flowed\n"

    assert new_text(mail(body, params="; charset=utf-8; format=flowed")) == \
        "This line goes on and on until here.\nNew line."


def test_format_flowed_with_delsp_joins_without_the_space():
    body = "Donau\u00addampf \nschiff \nfahrt.\n"

    assert new_text(mail(body, params="; charset=utf-8; format=flowed; delsp=yes")) == "Donau\u00addampfschifffahrt."


def test_unflow_unstuffs_and_keeps_the_signature_delimiter():
    text = " >not a quote \ncontinued\n-- \nsig\n>> deep \n>> quote\n> shallow \n>> other depth"

    assert unflow(text) == ">not a quote continued\n-- \nsig\n>> deep quote\n> shallow \n>> other depth"


def test_text_not_marked_flowed_keeps_its_line_breaks():
    assert new_text(mail("one \ntwo\n")) == "one\ntwo"


@pytest.mark.parametrize(("params", "body", "expected"), [
    ("; charset=iso-8859-1", "Caf\xe9 cr\xe8me".encode("latin-1"), "Café crème"),
    ("; charset=windows-1252", b"\x93quoted\x94 \x80", "“quoted” €"),
    ("; charset=koi8-r", "Привет".encode("koi8-r"), "Привет"),
    ("; charset=x-no-such-charset", "Zoë".encode(), "Zoë"),
    ("; charset=base64", b"plain", "plain"),
    ("", "Zoë".encode(), "Zoë"),
    ("", "Zo\xeb".encode("latin-1"), "Zoë"),
    ("; charset=us-ascii", "Zoë".encode(), "Zoë"),
    ("; charset=utf-8", b"bad \xff\xfe bytes", "bad \ufffd\ufffd bytes"),
])
def test_charsets_are_decoded_and_unknown_ones_fall_back_to_utf8(params, body, expected):
    assert new_text(mail(body, params=params)) == expected


def test_base64_and_quoted_printable_bodies_are_decoded():
    assert new_text(mail("SGVsbG8gZnJvbSBiYXNlNjQ=\n", encoding="base64")) == "Hello from base64"
    assert new_text(mail("Caf=C3=A9 soft=\nbreak\n", encoding="quoted-printable")) == "Café softbreak"


def test_the_plain_part_is_preferred_to_the_html_one():
    message = alternative("Plain words.", "<p>HTML words.</p>")

    assert new_text(message) == "Plain words."


def test_a_blank_plain_part_leaves_the_html_one_to_be_read():
    assert new_text(alternative("  \n", "<p>HTML <em>words</em>.</p>")) == "HTML <em>words</em>."


def test_html_styles_scripts_and_head_are_dropped():
    html = ("<html><head><title>T1TLE</title><style>p{color:red}</style></head><body><script>var s=1;</script>"
            "<p>Visible <b>text</b></p><style>.x{}</style><noscript>nojs</noscript></body></html>")

    assert new_text(mail(html, kind="text/html")) == "Visible <b>text</b>"


def test_html_line_breaks_in_the_source_are_spaces_and_pre_keeps_its_lines():
    html = "<div>One sentence\n   over two lines.</div><pre>code line 1\ncode line 2</pre>"

    assert new_text(mail(html, kind="text/html")) == "One sentence over two lines.\n\ncode line 1\ncode line 2"


def test_thunderbird_html_reply_above_the_quote_drops_all_after_the_cite_prefix():
    html = ('<p>My answer on top.</p><div class="moz-cite-prefix">On 12/7/26 10:02 AM, Ada wrote:<br></div>'
            '<blockquote type="cite">The Bernoulli numbers.</blockquote><p>Old signature below the quote.</p>')

    assert new_text(mail(html, kind="text/html")) == "My answer on top."


def test_outlook_html_drops_everything_after_the_reply_header():
    html = ('<div>Short reply.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div>'
            '<div>Bernoulli, quoted without any marker.</div>')

    assert new_text(mail(html, kind="text/html")) == "Short reply."


def test_an_html_outlook_header_block_without_ids_is_still_found():
    html = ('<p>Reply text.</p><div style="border-top:solid #E1E1E1 1pt"><p><b>From:</b> Engines &lt;r@b.example&gt;'
            '<br><b>Sent:</b> Monday<br><b>To:</b> Reader<br><b>Subject:</b> New comment</p></div>'
            '<p>Bernoulli</p>')

    assert new_text(mail(html, kind="text/html")) == "Reply text."


def test_an_html_message_of_only_a_quote_gives_no_text():
    html = ('<div dir="ltr"><br></div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Ada wrote:</div>'
            '<blockquote class="gmail_quote">Bernoulli</blockquote></div>')

    assert new_text(mail(html, kind="text/html")) == ""


def test_html_links_keep_only_web_addresses_and_images_go():
    html = ('<p><a href="https://ok.example/" target="_blank" style="x">ok</a> <a href="data:text/html,x">data</a>'
            '<img src="https://t.example/p.gif"> <span onclick="x()">span</span></p>')

    assert new_text(mail(html, kind="text/html")) == '<a href="https://ok.example/">ok</a> <a>data</a> span'


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<!-- only a comment -->", "<?xml version='1.0' "
                                  "encoding='utf-8'?><p>Declared</p>", "<p>unclosed <b>bold", "\x00\x01<p>x"])
def test_odd_html_never_raises(html):
    assert isinstance(new_text(mail(html, kind="text/html")), str)


def test_html_with_an_xml_declaration_is_read():
    html = "<?xml version='1.0' encoding='utf-8'?><html><body><p>Declared</p></body></html>"

    assert new_text(mail(html, kind="text/html")) == "Declared"


def test_deeply_nested_html_is_read_quickly():
    html = "<div>" * 20000 + "deep" + "</div>" * 20000

    assert isinstance(new_text(mail(html, kind="text/html")), str)


def test_apple_mail_split_around_an_inline_image_keeps_both_halves():
    raw = ("From: r@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=M\n\n"
           "--M\nContent-Type: text/plain; charset=us-ascii\n\nAbove the picture.\n"
           "--M\nContent-Type: image/jpeg; name=photo.jpg\nContent-Disposition: inline; filename=photo.jpg\n"
           "Content-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRg==\n"
           "--M\nContent-Type: text/plain; charset=us-ascii\n\nBelow the picture.\n--M--\n")

    text = new_text(email.message_from_bytes(raw.encode(), policy=email.policy.default))

    assert text == "Above the picture.\n\nBelow the picture."


def test_an_attached_mail_is_not_the_reply():
    raw = ("From: r@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=M\n\n"
           "--M\nContent-Type: text/plain\n\nSee the forwarded mail.\n"
           "--M\nContent-Type: message/rfc822\n\nFrom: x@example.org\nSubject: old\n\nForwarded body.\n--M--\n")

    assert new_text(email.message_from_bytes(raw.encode(), policy=email.policy.default)) == "See the forwarded mail."


def test_a_long_reply_is_cut_to_what_a_comment_may_hold():
    from blog.remote_replies import MAX_REPLY_CHARACTERS

    assert len(new_text(mail("word " * 50_000))) <= MAX_REPLY_CHARACTERS


@pytest.mark.parametrize("language", ["de", "ja", "ar"])
def test_the_reply_line_of_a_mail_in_another_language_is_cut_at_too(language):
    marker = translated(language, "Reply above this line")
    body = f"Danke, gerne!\n\n-- {marker}: … --\nSomeone wrote a comment we quoted here.\n"
    assert new_text(mail(body)) == "Danke, gerne!"
