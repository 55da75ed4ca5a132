"""A small IMAP4rev1 server on 127.0.0.1 (plain TCP) with one in-memory mailbox: enough of the
protocol (RFC 3501) for imaplib to log in, search, fetch, flag and expunge, as a real server would.

Not a general server: one mailbox shared by every connection, no MIME part fetching, no IDLE.
"""

import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

USERNAME = "blog@blog.example"
PASSWORD = 'pass "word" \\ with quotes'  # imaplib must quote it correctly

_SYSTEM_FLAGS = r"(\Answered \Flagged \Deleted \Seen \Draft)"


@dataclass
class StoredMessage:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


class ImapServer:
    """The mailbox and the server serving it; `start()` listens on a free port of 127.0.0.1."""

    def __init__(self, username: str = USERNAME, password: str = PASSWORD, mailbox: str = "INBOX"):
        self.username, self.password, self.mailbox = username, password, mailbox
        self.messages: list[StoredMessage] = []
        self.downloaded: list[int] = []  # UIDs whose content a client fetched
        self.commands: list[str] = []  # each command's name, as received ("LOGIN", "UID FETCH", ...)
        self.lock = threading.Lock()
        self._next_uid = 1
        self._server: _Server | None = None
        self.port = 0

    def add(self, raw: bytes, flags: tuple[str, ...] = ()) -> int:
        """Put a message in the mailbox; its UID."""
        with self.lock:
            uid, self._next_uid = self._next_uid, self._next_uid + 1
            self.messages.append(StoredMessage(uid, raw, set(flags)))
            return uid

    def message(self, uid: int) -> StoredMessage | None:
        with self.lock:
            return next((m for m in self.messages if m.uid == uid), None)

    def start(self) -> "ImapServer":
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.mailbox = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: ImapServer


class _Session(socketserver.StreamRequestHandler):
    """One client connection: reads tagged commands and answers them."""

    server: _Server
    disable_nagle_algorithm = True  # answers go out in several small writes

    def handle(self) -> None:
        self.box = self.server.mailbox
        self.logged_in = False
        self.selected = False
        self.send(b"* OK [CAPABILITY IMAP4rev1] test IMAP server ready")
        while True:
            line = self.read_command()
            if line is None:
                return
            tag, _, rest = line.partition(b" ")
            words = _parse(rest)
            if not words or not isinstance(words[0], str):
                self.send(tag + b" BAD missing command")
                continue
            name = words[0].upper()
            if name == "UID" and len(words) > 1 and isinstance(words[1], str):
                name, args, by_uid = words[1].upper(), words[2:], True
            else:
                args, by_uid = words[1:], False
            self.box.commands.append(f"UID {name}" if by_uid else name)
            try:
                keep_going = self.dispatch(tag.decode("ascii", "replace"), name, args, by_uid)
            except (ValueError, IndexError) as error:
                self.send(tag + f" BAD {error or 'syntax error'}".encode())
                keep_going = True
            if not keep_going:
                return

    def read_command(self) -> bytes | None:
        """One command line, with the client's literals ({n} then n bytes) joined in."""
        line = self.rfile.readline()
        if not line:
            return None
        command = b""
        while (literal := re.search(rb"\{(\d+)\}\r\n$", line)) is not None:
            self.send(b"+ go ahead")
            data = self.rfile.read(int(literal.group(1)))
            command += line[: literal.start()] + _quoted(data)
            line = self.rfile.readline()
        return command + line.rstrip(b"\r\n")

    def send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")
        self.wfile.flush()

    def dispatch(self, tag: str, name: str, args: list, by_uid: bool) -> bool:
        """Answer one command; False when the connection ends."""
        if name == "LOGOUT":
            self.send(b"* BYE logging out")
            self.send(f"{tag} OK LOGOUT completed".encode())
            return False
        simple = {"CAPABILITY": self.capability, "NOOP": lambda _args: None, "LOGIN": self.login}
        if name in simple:
            return self.reply(tag, name, simple[name](args))
        if not self.logged_in:
            return self.reply(tag, name, "NO not logged in")
        if name in ("SELECT", "EXAMINE"):
            return self.reply(tag, name, self.select(args))
        if not self.selected:
            return self.reply(tag, name, "NO no mailbox selected")
        commands = {"SEARCH": self.search, "FETCH": self.fetch, "STORE": self.store}
        if name in commands:
            with self.box.lock:
                return self.reply(tag, name, commands[name](args, by_uid))
        if name in ("EXPUNGE", "CLOSE"):
            with self.box.lock:
                self.expunge(silent=name == "CLOSE")
            self.selected = name != "CLOSE"
            return self.reply(tag, name, None)
        self.send(f"{tag} BAD unknown command {name}".encode())
        return True

    def reply(self, tag: str, name: str, failure: str | None) -> bool:
        self.send(f"{tag} {failure or 'OK ' + name + ' completed'}".encode())
        return True

    def capability(self, _args: list) -> None:
        self.send(b"* CAPABILITY IMAP4rev1")

    def login(self, args: list) -> str | None:
        username, password = args
        if (username, password) != (self.box.username, self.box.password):
            return "NO [AUTHENTICATIONFAILED] Invalid credentials"
        self.logged_in = True
        return None

    def select(self, args: list) -> str | None:
        if args[0].upper() != self.box.mailbox.upper():
            return "NO [NONEXISTENT] no such mailbox"
        with self.box.lock:
            count = len(self.box.messages)
            next_uid = self.box._next_uid
        self.selected = True
        for line in (f"* FLAGS {_SYSTEM_FLAGS}", f"* {count} EXISTS", "* 0 RECENT",
                     f"* OK [PERMANENTFLAGS {_SYSTEM_FLAGS}] flags", "* OK [UIDVALIDITY 1] UIDs valid",
                     f"* OK [UIDNEXT {next_uid}] next UID"):
            self.send(line.encode())
        return None

    def search(self, args: list, by_uid: bool) -> None:
        criteria = {str(word).upper() for word in args}
        tests = {"ALL": lambda m: True, "UNSEEN": lambda m: "\\Seen" not in m.flags,
                 "SEEN": lambda m: "\\Seen" in m.flags, "DELETED": lambda m: "\\Deleted" in m.flags,
                 "UNDELETED": lambda m: "\\Deleted" not in m.flags}
        if not criteria <= tests.keys():
            raise ValueError(f"unsupported search {sorted(criteria - tests.keys())}")
        found = [str(m.uid if by_uid else n) for n, m in enumerate(self.box.messages, 1)
                 if all(tests[c](m) for c in criteria)]
        self.send(" ".join(["* SEARCH", *found]).encode())

    def fetch(self, args: list, by_uid: bool) -> None:
        wanted = args[1] if isinstance(args[1], list) else [args[1]]
        items = [str(item).upper() for item in wanted]
        for number, message in self.chosen(args[0], by_uid):
            parts = [b"UID %d" % message.uid] if by_uid and "UID" not in items else []
            for item in items:
                parts.append(self.fetch_item(item, message))
            self.send(b"* %d FETCH (" % number + b" ".join(parts) + b")")

    def fetch_item(self, item: str, message: StoredMessage) -> bytes:
        if item == "UID":
            return b"UID %d" % message.uid
        if item == "FLAGS":
            return b"FLAGS " + _flag_list(message.flags)
        if item == "RFC822.SIZE":
            return b"RFC822.SIZE %d" % len(message.raw)
        if item in ("BODY[]", "BODY.PEEK[]", "RFC822"):
            self.box.downloaded.append(message.uid)
            if item != "BODY.PEEK[]":
                message.flags.add("\\Seen")
            name = b"RFC822" if item == "RFC822" else b"BODY[]"
            return name + b" {%d}\r\n" % len(message.raw) + message.raw
        raise ValueError(f"unsupported fetch item {item}")

    def store(self, args: list, by_uid: bool) -> None:
        what, flags = str(args[1]).upper(), args[2]
        flags = {_flag_name(f) for f in (flags if isinstance(flags, list) else [flags])}
        for number, message in self.chosen(args[0], by_uid):
            if what.startswith("+FLAGS"):
                message.flags |= flags
            elif what.startswith("-FLAGS"):
                message.flags -= flags
            elif what.startswith("FLAGS"):
                message.flags = set(flags)
            else:
                raise ValueError(f"unsupported store {what}")
            if not what.endswith(".SILENT"):
                uid = b"UID %d " % message.uid if by_uid else b""
                self.send(b"* %d FETCH (%sFLAGS %s)" % (number, uid, _flag_list(message.flags)))

    def expunge(self, silent: bool) -> None:
        kept, removed = [], 0
        for number, message in enumerate(self.box.messages, 1):
            if "\\Deleted" in message.flags:
                if not silent:
                    self.send(b"* %d EXPUNGE" % (number - removed))  # later numbers shift down
                removed += 1
            else:
                kept.append(message)
        self.box.messages[:] = kept

    def chosen(self, sequence_set: str, by_uid: bool) -> list[tuple[int, StoredMessage]]:
        """(sequence number, message) for a sequence set of UIDs or of sequence numbers."""
        numbered = list(enumerate(self.box.messages, 1))
        highest = (numbered[-1][1].uid if by_uid else len(numbered)) if numbered else 0
        wanted = _sequence_set(str(sequence_set), highest)
        return [(n, m) for n, m in numbered if (m.uid if by_uid else n) in wanted]


def _sequence_set(text: str, highest: int) -> set[int]:
    numbers: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition(":")
        low = highest if first == "*" else int(first)
        high = low if not last else highest if last == "*" else int(last)
        low, high = min(low, high), max(low, high)
        numbers.update(range(low, high + 1))
    return numbers


def _parse(text: bytes) -> list:
    """A command's arguments: atoms and quoted strings as str, parenthesized lists as lists."""
    stack: list[list] = [[]]
    i, text = 0, text.decode("utf-8", "surrogateescape")
    while i < len(text):
        char = text[i]
        if char == " ":
            i += 1
        elif char == "(":
            stack.append([])
            i += 1
        elif char == ")":
            done = stack.pop()
            stack[-1].append(done)
            i += 1
        elif char == '"':
            value, i = _quoted_string(text, i + 1)
            stack[-1].append(value)
        else:
            start, depth = i, 0
            while i < len(text) and (depth or text[i] not in " ()"):
                depth += {"[": 1, "]": -1}.get(text[i], 0)
                i += 1
            stack[-1].append(text[start:i])
    if len(stack) != 1:
        raise ValueError("unbalanced parentheses")
    return stack[0]


def _quoted_string(text: str, i: int) -> tuple[str, int]:
    value = []
    while text[i] != '"':
        if text[i] == "\\":
            i += 1
        value.append(text[i])
        i += 1
    return "".join(value), i + 1


def _quoted(data: bytes) -> bytes:
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def _flag_name(flag: str) -> str:
    """System flags in their canonical case (\\seen is \\Seen); keywords as given."""
    canonical = {f.lower(): f for f in _SYSTEM_FLAGS.strip("()").split()}
    return canonical.get(flag.lower(), flag)


def _flag_list(flags: set[str]) -> bytes:
    return b"(" + " ".join(sorted(flags)).encode() + b")"


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """A running IMAP server with an empty INBOX for USERNAME / PASSWORD."""
    server = ImapServer().start()
    yield server
    server.stop()
