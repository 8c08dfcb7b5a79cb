"""Validate and normalise each channel's address (pure: no I/O, no database).

Every error is a ValidationError naming the field a person filled in: `email` for
email, `phone_number` for SMS, `endpoint` for webhook, chat and Apprise URLs.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from flask_babel import gettext as _

from ..errors import ValidationError
from .models import Channel

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_URL_LENGTH = 2000
MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15

FIELD_BY_CHANNEL = {Channel.EMAIL: "email", Channel.SMS: "phone_number"}

# RFC 5322 dot-atom local part (no quoted strings: no mail provider hands those out).
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.\-]*://\S+$", re.IGNORECASE)
_DISCORD_PATH = re.compile(r"^/api/webhooks/\d+/[A-Za-z0-9_\-]+/?$")
_SLACK_PATH = re.compile(r"^/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+/?$")
_GOOGLECHAT_PATH = re.compile(r"^/v1/spaces/[^/]+/messages$")
_DISCORD_HOSTS = {
    "discord.com",
    "discordapp.com",
    "ptb.discord.com",
    "canary.discord.com",
}


def field_for(channel: Channel) -> str:
    """Return the name of the field that holds this channel's address."""
    return FIELD_BY_CHANNEL.get(channel, "endpoint")


def normalise_target(
    channel: Channel,
    raw: str | None,
    *,
    allow_apprise: bool = False,
    allow_private: bool = False,
) -> str:
    """Return the channel's address checked and in canonical form, or raise ValidationError."""
    value = (raw or "").strip()
    field = field_for(channel)
    if not value:
        raise ValidationError({field: _("Enter an address to send updates to.")})
    if channel is Channel.EMAIL:
        return normalise_email(value)
    if channel is Channel.SMS:
        return normalise_phone(value)
    if channel is Channel.APPRISE:
        if not allow_apprise:
            raise ValidationError({"type": _("Only administrators may add Apprise URLs.")})
        return normalise_apprise_url(value)
    url = normalise_url(value)
    if channel is Channel.WEBHOOK and not allow_private:
        _check_public_host(url)
    check = _CHAT_CHECKS.get(channel)
    if check is not None:
        check(url)
    return url


def normalise_email(value: str) -> str:
    """Return an email address lower-cased, or raise ValidationError for `email`."""
    address = value.strip().lower()
    invalid = ValidationError({"email": _("Enter a valid email address, like name@example.com.")})
    if len(address) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            {"email": _("Use at most %(count)d characters.", count=MAX_EMAIL_LENGTH)}
        )
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or len(local) > MAX_LOCAL_PART_LENGTH:
        raise invalid
    if not _LOCAL_PART.match(local):
        raise invalid
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise invalid from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise invalid
    if labels[-1].isdigit():
        raise invalid
    return f"{local}@{ascii_domain}"


def normalise_phone(value: str) -> str:
    """Return a phone number in E.164 (+ and 8 to 15 digits), or raise for `phone_number`."""
    number = _PHONE_PUNCTUATION.sub("", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    digits = number[1:]
    if (
        not number.startswith("+")
        or not digits.isascii()
        or not digits.isdigit()
        or digits.startswith("0")
        or not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS
    ):
        raise ValidationError(
            {
                "phone_number": _(
                    "Enter the number in international form: + then the country code and "
                    "number, 8 to 15 digits, like +14155550123."
                )
            }
        )
    return number


def normalise_country(value: str | None) -> str | None:
    """Return a two-letter country code upper-cased (or None), or raise for `phone_country`."""
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise ValidationError(
            {"phone_country": _("Enter a two-letter country code, like US or DE.")}
        )
    return code


def normalise_url(value: str) -> str:
    """Return an http(s) URL with its scheme and host lower-cased, or raise for `endpoint`."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(
            {"endpoint": _("Use at most %(count)d characters.", count=MAX_URL_LENGTH)}
        )
    invalid = ValidationError(
        {"endpoint": _("Enter a full http:// or https:// URL, like https://example.com/hook.")}
    )
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise invalid
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise invalid
    if parts.username is not None or parts.password is not None:
        raise ValidationError({"endpoint": _("Leave user names and passwords out of the URL.")})
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _check_public_host(url: str) -> None:
    """Refuse loopback and private-network hosts written as such (delivery re-checks DNS)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    private = host == "localhost" or host.endswith(".localhost")
    # A name rather than an address is left to the delivery client, which checks what it
    # resolves to at send time.
    with contextlib.suppress(ValueError):
        private = private or not ipaddress.ip_address(host).is_global
    if private:
        raise ValidationError(
            {"endpoint": _("This address is on a private network; use a public URL.")}
        )


def _wrong_service(service: str, example: str) -> ValidationError:
    return ValidationError(
        {
            "endpoint": _(
                "This is not a %(service)s incoming-webhook URL; it looks like %(example)s.",
                service=service,
                example=example,
            )
        }
    )


def _check_slack(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname != "hooks.slack.com":
        raise _wrong_service("Slack", "https://hooks.slack.com/services/T000/B000/XXXX")
    if not _SLACK_PATH.match(parts.path):
        raise _wrong_service("Slack", "https://hooks.slack.com/services/T000/B000/XXXX")


def _check_teams(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    example = "https://example.webhook.office.com/webhookb2/..."
    if parts.scheme != "https" or not host.endswith((".webhook.office.com", ".logic.azure.com")):
        raise _wrong_service("Microsoft Teams", example)
    if len(parts.path.strip("/")) == 0:
        raise _wrong_service("Microsoft Teams", example)


def _check_discord(url: str) -> None:
    parts = urlsplit(url)
    example = "https://discord.com/api/webhooks/123/abc"
    if parts.scheme != "https" or parts.hostname not in _DISCORD_HOSTS:
        raise _wrong_service("Discord", example)
    if not _DISCORD_PATH.match(parts.path):
        raise _wrong_service("Discord", example)


def _check_googlechat(url: str) -> None:
    parts = urlsplit(url)
    example = "https://chat.googleapis.com/v1/spaces/AAA/messages?key=...&token=..."
    if parts.scheme != "https" or parts.hostname != "chat.googleapis.com":
        raise _wrong_service("Google Chat", example)
    query = parse_qs(parts.query)
    if not _GOOGLECHAT_PATH.match(parts.path) or not query.get("key") or not query.get("token"):
        raise _wrong_service("Google Chat", example)


_CHAT_CHECKS = {
    Channel.SLACK: _check_slack,
    Channel.TEAMS: _check_teams,
    Channel.DISCORD: _check_discord,
    Channel.GOOGLECHAT: _check_googlechat,
}


def detect_chat_channel(url: str) -> Channel:
    """Return the chat service a webhook URL belongs to, or Channel.WEBHOOK for any other URL."""
    for channel, check in _CHAT_CHECKS.items():
        try:
            check(url)
        except ValidationError:
            continue
        return channel
    return Channel.WEBHOOK


def normalise_apprise_url(value: str) -> str:
    """Return an Apprise URL (any scheme://...) checked by Apprise when it is installed."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(
            {"endpoint": _("Use at most %(count)d characters.", count=MAX_URL_LENGTH)}
        )
    invalid = ValidationError(
        {"endpoint": _("Enter an Apprise URL, like mailto://user:pass@example.com.")}
    )
    if not _APPRISE_URL.match(value):
        raise invalid
    from ..notifications.apprise_support import load_apprise

    if not load_apprise().Apprise().add(value):
        raise ValidationError(
            {"endpoint": _("Apprise does not recognise this URL; check the service's URL form.")}
        )
    return value
