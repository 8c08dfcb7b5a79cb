"""Each channel's address is checked and normalised, with errors naming the field."""

from __future__ import annotations

import pytest

from statuspage.errors import ValidationError
from statuspage.subscribers.models import Channel
from statuspage.subscribers.targets import (
    detect_chat_channel,
    normalise_country,
    normalise_target,
)

SLACK = "https://hooks.slack.com/services/T0001/B0002/abcDEF123"
TEAMS = "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"
TEAMS_FLOW = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x"
DISCORD = "https://discord.com/api/webhooks/123456789/AbC-dEf_123"
GCHAT = "https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=k123&token=t456"


def error_field(channel: Channel, value: str, **kwargs: bool) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        normalise_target(channel, value, **kwargs)
    ((field, message),) = caught.value.errors.items()
    return field, message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("ops+status@sub.example.co.uk", "ops+status@sub.example.co.uk"),
        ("user@bücher.de", "user@xn--bcher-kva.de"),
    ],
)
def test_email_is_lower_cased(given: str, expected: str) -> None:
    assert normalise_target(Channel.EMAIL, given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "no-at-sign",
        "two@@example.com",
        "a b@example.com",
        "user@localhost",
        "user@-bad.com",
        ".dot@example.com",
        "user@example.123",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        "",
    ],
)
def test_bad_email_names_the_email_field(given: str) -> None:
    field, message = error_field(Channel.EMAIL, given)
    assert field == "email"
    assert message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("+49 30 1234-5678", "+493012345678"),
        ("0044 (20) 7946.0958", "+442079460958"),
        ("+14155550123", "+14155550123"),
    ],
)
def test_phone_is_e164(given: str, expected: str) -> None:
    assert normalise_target(Channel.SMS, given) == expected


@pytest.mark.parametrize(
    "given", ["4155550123", "+1415", "+1234567890123456", "+0123456789", "+49abc12345", "+"]
)
def test_bad_phone_names_phone_number(given: str) -> None:
    field, message = error_field(Channel.SMS, given)
    assert field == "phone_number"
    assert "+" in message


def test_phone_country_is_two_letters() -> None:
    assert normalise_country(" us ") == "US"
    assert normalise_country("") is None
    with pytest.raises(ValidationError) as caught:
        normalise_country("USA")
    assert "phone_country" in caught.value.errors


def test_webhook_url_keeps_path_case_and_lowers_host() -> None:
    assert (
        normalise_target(Channel.WEBHOOK, "HTTPS://Hooks.Example.COM:8443/Path/ToKen?x=Y")
        == "https://hooks.example.com:8443/Path/ToKen?x=Y"
    )


@pytest.mark.parametrize(
    ("given", "needle"),
    [
        ("ftp://example.com/hook", "http"),
        ("https://user:secret@example.com/hook", "password"),
        ("https://example.com/" + "a" * 2000, "2000"),
        ("https://exa mple.com/hook", "http"),
        ("example.com/hook", "http"),
        ("https:///nohost", "http"),
    ],
)
def test_bad_webhook_url_names_endpoint(given: str, needle: str) -> None:
    field, message = error_field(Channel.WEBHOOK, given)
    assert field == "endpoint"
    assert needle in message


@pytest.mark.parametrize(
    ("channel", "url"),
    [
        (Channel.SLACK, SLACK),
        (Channel.TEAMS, TEAMS),
        (Channel.TEAMS, TEAMS_FLOW),
        (Channel.DISCORD, DISCORD),
        (Channel.DISCORD, "https://discordapp.com/api/webhooks/1/tok"),
        (Channel.GOOGLECHAT, GCHAT),
    ],
)
def test_chat_urls_are_accepted_and_detected(channel: Channel, url: str) -> None:
    assert normalise_target(channel, url) == url
    assert detect_chat_channel(url) is channel


@pytest.mark.parametrize(
    ("channel", "url", "service"),
    [
        (Channel.SLACK, "https://hooks.slack.com/other/T/B/X", "Slack"),
        (Channel.SLACK, "http://hooks.slack.com/services/T/B/X", "Slack"),
        (Channel.SLACK, "https://evil.example.com/services/T/B/X", "Slack"),
        (Channel.TEAMS, "https://webhook.office.com.evil.com/x", "Microsoft Teams"),
        (Channel.DISCORD, "https://discord.com/api/webhooks/abc/tok", "Discord"),
        (Channel.DISCORD, "https://discord.gg/api/webhooks/1/tok", "Discord"),
        (
            Channel.GOOGLECHAT,
            "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k",
            "Google Chat",
        ),
    ],
)
def test_wrong_chat_urls_say_which_service(channel: Channel, url: str, service: str) -> None:
    field, message = error_field(channel, url)
    assert field == "endpoint"
    assert service in message


def test_other_urls_are_plain_webhooks() -> None:
    assert detect_chat_channel("https://example.com/hook") is Channel.WEBHOOK


def test_apprise_urls_are_for_admins_only() -> None:
    field, message = error_field(Channel.APPRISE, "mailto://u:p@example.com")
    assert field == "type"
    assert "administrators" in message
    telegram = "tgram://123456789:AAHabcdefghijklmnopqrstuvwxyz012345/12345"
    assert normalise_target(Channel.APPRISE, telegram, allow_apprise=True) == telegram
    field, _message = error_field(Channel.APPRISE, "not a url", allow_apprise=True)
    assert field == "endpoint"
    # Apprise is installed: a URL in a known scheme but the wrong form is refused too.
    field, message = error_field(Channel.APPRISE, "tgram://bottoken/ChatID", allow_apprise=True)
    assert field == "endpoint"
    assert "Apprise does not recognise" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/hook",
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://api.localhost/hook",
    ],
)
def test_private_webhook_hosts_are_refused_unless_allowed(url: str) -> None:
    field, message = error_field(Channel.WEBHOOK, url)
    assert field == "endpoint"
    assert "private" in message
    assert normalise_target(Channel.WEBHOOK, url, allow_private=True)
