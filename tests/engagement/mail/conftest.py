"""A real SMTP server on localhost (aiosmtpd) and an app that sends to it.

The `mail_app` shares the test database with the session's `app` but has its own MAIL_PORT and a
PUBLIC_BASE_URL of its own, so the links in a mail can be told from the test client's host. Mails
are queued by its pages and sent by its real `flask send-mail` command; the server keeps what it got.
"""
import email
import email.policy
import re
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from tests.builders import PASSWORD
from tests.conftest import IsolatedClient, csrf_token

PUBLIC = "https://bypuls.example.dk"
LINK = re.compile(re.escape(PUBLIC) + r"(/\S*)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted; `refuse` holds recipients it answers 550."""
    messages: list = field(default_factory=list)
    refuse: set = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 <%s>: Recipient address rejected: no such mailbox" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """`start()` and `stop()` the server on the same port, as a mail server that goes down and comes back."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    mail_app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "RATELIMIT_STORAGE_URI": "memory://",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PUBLIC_BASE_URL": PUBLIC,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Vordingborg bymidte <bypuls@vordingborg.example>"})
    mail_app.test_client_class = IsolatedClient
    return mail_app


@pytest.fixture
def phone(mail_app):
    """A visitor of the mail app: a young person following the links in a mail."""
    return mail_app.test_client()


@pytest.fixture
def signed_in(mail_app):
    """`signed_in(user)`: a client of the mail app signed in through the real login form."""
    def sign_in(user):
        client = mail_app.test_client()
        response = client.post("/staff/login", data={"csrf_token": csrf_token(client, "/staff/login"),
                                                     "email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return sign_in


@pytest.fixture
def send_mail(mail_app):
    """Run `flask send-mail` as the timer does; returns its output."""
    def run() -> str:
        # Its own app context: the CLI would otherwise run in the test's, the session app's.
        with mail_app.app_context():
            result = mail_app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code == 0, result.output
        return result.output
    return run


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC + "/"), url
    return url[len(PUBLIC):]


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def header(message, name: str) -> str:
    """A header as a mail program shows it: long ones are folded onto a new line, whose space goes."""
    return str(message[name]).strip()
