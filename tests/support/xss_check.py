"""Finding executable script in rendered output, by parsing it as a browser would (html5lib).

`script_hazards(html)` lists everything in a page that could run script or load a dangerous URL:
an empty list means the page is inert. Feeds are XML whose HTML-carrying elements hold HTML
that a feed reader renders; `feed_hazards(xml)` checks those too.
"""

import re
import warnings
from pathlib import Path

import html5lib
from lxml import etree
from lxml import html as lxml_html

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"

OWN_SCRIPT_PREFIX = "/static/js/"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                  "cite", "lowsrc", "dynsrc", "codebase", "srcset", "ping", "longdesc", "usemap", "manifest",
                  "icon", "profile", "to", "values", "from", "by"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# Elements that run script, embed another document, or re-point the page's URLs.
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "math",
                      "foreignobject", "animate", "set", "animatetransform", "animatemotion", "use", "style",
                      "link", "meta", "form", "input", "button", "textarea", "select", "isindex", "keygen"}
# Our own templates use these; anywhere else on the page they were injected.
OWN_ELEMENTS_OUTSIDE_CONTENT = {"link", "meta", "form", "input", "button", "textarea", "select"}
CSS_HAZARDS = ("expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:", "@import")
# Atom and RSS elements whose text a feed reader renders as HTML.
FEED_HTML_ELEMENTS = {"description", "encoded", "summary", "content"}


def load_payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ")]


def _url_scheme_hazard(value: str) -> bool:
    # Browsers drop ASCII whitespace and control characters anywhere in a scheme.
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return squeezed.startswith(DANGEROUS_SCHEMES)


def _css_hazard(value: str) -> bool:
    squeezed = re.sub(r"/\*.*?\*/|\\|\s+", "", value.lower())
    return any(hazard in squeezed for hazard in CSS_HAZARDS)


def _local(name: str) -> str:
    """An element or attribute name without namespace or prefix ("xlink:href" -> "href")."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def element_hazards(element, allow_own_markup: bool) -> list[str]:
    """What is wrong with one element (its name and attributes)."""
    found = []
    name = _local(element.tag)
    where = f"<{name}>"
    shown = etree.tostring(element, encoding="unicode", with_tail=False)[:160]
    classes = (element.get("class") or "").split()
    if name == "script":
        src, text = element.get("src") or "", "".join(element.itertext())
        own_script = src.startswith(OWN_SCRIPT_PREFIX) and not text.strip()
        # JSON-LD (blog.seo): a data block browsers never run, whose JSON escapes every "<".
        own_data = element.get("type") == "application/ld+json" and not src and "<" not in text
        if not (allow_own_markup and (own_script or own_data)):
            found.append(f"script element {shown}")
    elif name == "svg":
        if not (allow_own_markup and "social-icon" in classes):
            found.append(f"injected svg {shown}")
    elif name == "meta" and "refresh" in (element.get("http-equiv") or "").lower():
        found.append(f"meta refresh {shown}")
    elif name in FORBIDDEN_ELEMENTS and not (allow_own_markup and name in OWN_ELEMENTS_OUTSIDE_CONTENT):
        found.append(f"forbidden element {shown}")
    for attribute, value in element.attrib.items():
        attribute = _local(attribute)
        if attribute.startswith("on"):
            found.append(f"event handler {attribute} on {where}")
        elif attribute == "srcdoc":
            found.append(f"srcdoc on {where}")
        elif attribute in URL_ATTRIBUTES and _url_scheme_hazard(value):
            found.append(f"dangerous URL in {attribute} on {where}: {value[:80]}")
        elif attribute == "style" and _css_hazard(value):
            found.append(f"style hazard on {where}: {value[:80]}")
    return found


def _parse_html5(html: str):
    # Names that are not valid XML ("x:script") are renamed for lxml; browsers see unknown elements.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", html5lib.constants.DataLossWarning)
        return html5lib.parse(html, treebuilder="lxml", namespaceHTMLElements=False)


def _elements(root):
    return (e for e in root.iter() if isinstance(e.tag, str))


def script_hazards(html: str, allow_own_markup: bool = True, fast: bool = False) -> list[str]:
    """Every executable or dangerous construct in an HTML document or fragment.

    With allow_own_markup, our templates' own scripts (served from /static/js/), forms and
    provider icons are allowed; for fragments that hold user content only, nothing is.
    html5lib parses as browsers do; `fast` uses libxml2 instead, for the many pages that only
    echo input back through the template engine's escaping (no sanitizer output to re-parse).
    """
    if fast:
        root = lxml_html.document_fromstring(html) if html.strip() else etree.Element("html")
    else:
        root = _parse_html5(html)
    found = []
    for element in _elements(root):
        found += element_hazards(element, allow_own_markup)
    # Inside a comment's text only the sanitizer's few tags may appear: no form, no input.
    for content in _elements(root):
        if "comment-content" in (content.get("class") or "").split():
            for element in _elements(content):
                found += [f"in a comment: {h}" for h in element_hazards(element, allow_own_markup=False)
                          if h.startswith("forbidden")]
    return found


def content_hazards(html: str) -> list[str]:
    """Hazards in a fragment that holds user content only (a comment, a feed description)."""
    root = _parse_html5("<!doctype html><body>" + html)
    found = []
    for element in _elements(root):
        if element.tag not in ("html", "head", "body"):
            found += element_hazards(element, allow_own_markup=False)
    return found


def feed_hazards(xml: bytes) -> list[str]:
    """Hazards in a feed: in its XML (attributes, links) and in the HTML its entries carry."""
    root = etree.fromstring(xml)  # raises when the feed is not well-formed XML
    found = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname.lower()
        if local in {"script", "iframe", "object", "embed"}:
            found.append(f"element {local} in the feed")
        for attribute, value in node.attrib.items():
            name = etree.QName(attribute).localname.lower()
            if name.startswith("on") or (name in URL_ATTRIBUTES and _url_scheme_hazard(value)):
                found.append(f"{name}={value[:60]} on {local}")
        if local in {"link", "comments", "guid", "id"} and node.text and _url_scheme_hazard(node.text):
            found.append(f"dangerous URL in {local}: {node.text[:60]}")
        is_html = local in {"description", "encoded"} or node.get("type") in ("html", "xhtml")
        if local in FEED_HTML_ELEMENTS and is_html and node.text:
            found += [f"in {local}: {hazard}" for hazard in content_hazards(node.text)]
    return found
