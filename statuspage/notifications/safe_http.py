"""Outgoing HTTP to addresses subscribers give us: SSRF-safe, no redirects, bounded time.

Every POST goes through requests-hardened's IP filter, which resolves the host once,
refuses loopback, private, link-local (cloud metadata at 169.254.169.254 included),
CG-NAT, multicast and reserved addresses, and then connects to the address it checked,
so a DNS answer that changes between the check and the connection cannot slip through.
`STATUSPAGE_WEBHOOK_ALLOW_PRIVATE=1` turns the filter off for tests and labs only.
Webhooks connect directly: HTTP(S)_PROXY from the environment is not used.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress

DEFAULT_TIMEOUT = 30.0
# Read at most this much of an answer: we only keep a snippet for the delivery log.
MAX_ANSWER_BYTES = 4096
USER_AGENT = "statuspage-webhooks/1"


@dataclass(frozen=True)
class HttpOutcome:
    """What one POST achieved: ok only for a 2xx; otherwise a person-readable error."""

    ok: bool
    status: int | None
    error: str | None
    answer: str = ""


def _manager(allow_private: bool, timeout: float) -> Manager:
    return Manager(
        Config(
            ip_filter_enable=not allow_private,
            ip_filter_allow_loopback_ips=False,
            never_redirect=True,
            default_timeout=(min(timeout, 10.0), timeout),
            user_agent_override=USER_AGENT,
        )
    )


def _session(manager: Manager) -> requests.Session:
    session = manager.get_session()
    # No proxies or .netrc from the environment: a proxy would make the connection (and
    # so the address check) its own, and scanning os.environ for them on every POST cost
    # a fifth of a webhook's time.
    session.trust_env = False
    return session


class Client:
    """POSTs through one pooled session per thread (keep-alive), with post()'s rules."""

    def __init__(self, *, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self._manager = _manager(allow_private, timeout)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _session(self._manager)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpOutcome:
        """POST body to url and report the outcome; never raises for network trouble."""
        return _post(self._session(), url, body, headers, self.timeout)

    def close(self) -> None:
        """Close every thread's session."""
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> HttpOutcome:
    """POST body to url and report the outcome; never raises for network trouble."""
    with _session(_manager(allow_private, timeout)) as session:
        return _post(session, url, body, headers, timeout)


def _post(
    session: requests.Session, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> HttpOutcome:
    try:
        response = session.post(
            url,
            data=body,
            headers=headers,
            timeout=(min(timeout, 10.0), timeout),
            allow_redirects=False,
            stream=True,
        )
        try:
            answer = response.raw.read(MAX_ANSWER_BYTES, decode_content=True) or b""
        finally:
            response.close()
    except InvalidIPAddress as exc:
        return HttpOutcome(False, None, f"refused: the address {exc} is private or reserved")
    except requests.Timeout:
        return HttpOutcome(False, None, f"no answer within {timeout:g} seconds")
    except requests.ConnectionError as exc:
        return HttpOutcome(False, None, f"could not connect: {_first_line(exc)}")
    except requests.RequestException as exc:
        return HttpOutcome(False, None, f"request failed: {_first_line(exc)}")
    text = answer.decode("utf-8", "replace")
    status = response.status_code
    if 200 <= status < 300:
        return HttpOutcome(True, status, None, text)
    if 300 <= status < 400:
        where = response.headers.get("Location", "?")
        return HttpOutcome(False, status, f"HTTP {status}: redirect to {where} not followed", text)
    return HttpOutcome(False, status, f"HTTP {status}", text)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
