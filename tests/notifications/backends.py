"""A mail backend that always fails, to drive the outbox's failure path through EMAIL_BACKEND."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("test: mail server unavailable")


class UnreachableEmailBackend(BaseEmailBackend):
    """Like SMTP with the server down: opening the connection fails."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        self.open()
