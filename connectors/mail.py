"""Sending e-mail over SMTP (smtplib): one small class, one method.

The password is kept out of ``repr``, logs and error messages.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from tasks.model.ports import MailError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> None:
        """Send ``message`` to ``recipients`` (the envelope; headers are left as they are).

        Raises :class:`MailError` with the server's reason when anything fails, including a
        recipient the server refuses.
        """
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message, to_addrs=list(recipients))
        except smtplib.SMTPResponseException as error:
            reason = error.smtp_error.decode("utf-8", "replace") if isinstance(
                error.smtp_error, bytes) else str(error.smtp_error)
            raise MailError(f"máy chủ thư {self.host}:{self.port} từ chối: "
                            f"{error.smtp_code} {reason}") from None
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"máy chủ thư {self.host}:{self.port} từ chối người nhận: "
                            f"{_refused(error.recipients)}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"không gửi được qua máy chủ thư {self.host}:{self.port}: "
                            f"{type(error).__name__}: {error}") from None
        if refused:
            raise MailError(f"máy chủ thư {self.host}:{self.port} từ chối người nhận: "
                            f"{_refused(refused)}")
        log.info("đã gửi thư %s tới %s qua %s:%s", message["Message-ID"], ", ".join(recipients),
                 self.host, self.port)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {reply.decode('utf-8', 'replace')})"
                     for address, (code, reply) in recipients.items())
