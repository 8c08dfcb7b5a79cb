"""Claim due deliveries, hand them to the channel's sender, record what happened.

A claim is one short transaction: PostgreSQL locks a batch of due rows with
`FOR UPDATE SKIP LOCKED` (so any number of workers share the queue) and marks them
`sending` with a lease; SQLite does the same in one atomic UPDATE ... RETURNING. The
sender then runs outside any transaction, and the results are written in a second one
with Core bulk statements. A worker that dies mid-batch leaves `sending` rows whose
lease runs out; the sweeper puts them back in the queue, so each is sent at least once
and at most the in-flight batch is sent twice (same key, so receivers can tell).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from ..clock import utcnow
from ..db import unit_of_work
from ..extensions import db
from ..site.queries import get_page_settings
from ..subscribers.models import Channel, Subscriber, SubscriberState
from ..subscribers.services import quarantine, webhook_secret
from ..subscribers.tokens import Purpose, make_token
from .backoff import retry_delay
from .dispatch import Outgoing, Result, Sender, sender_factory
from .models import BroadcastChannel, Delivery, DeliveryAttempt, DeliveryState, OutboxEvent
from .planner import CONFIRMATION_REQUESTED

log = logging.getLogger("statuspage.notifications")

_DUE_STATES = [DeliveryState.QUEUED.value, DeliveryState.FAILED.value]
_table = Delivery.__table__
_attempts = DeliveryAttempt.__table__
_SENDERS_KEY = "statuspage.senders"
_warned_lock = threading.Lock()
_warned: set[Channel] = set()


@dataclass
class _Pacer:
    """A token bucket per channel: at most `rate` messages per second in this process."""

    rate: float
    tokens: float = 0.0
    last: float = 0.0

    def allowance(self) -> int:
        """Return how many messages may go now."""
        now = time.monotonic()
        if self.last == 0.0:
            self.tokens = max(1.0, self.rate)
        else:
            self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.last) * self.rate)
        self.last = now
        return int(self.tokens)

    def spend(self, count: int) -> None:
        """Take count tokens."""
        self.tokens -= count


def _senders(app: Flask) -> dict[Channel, Sender]:
    return app.extensions.setdefault(_SENDERS_KEY, {})


def _pacers(app: Flask) -> dict[str, _Pacer]:
    return app.extensions.setdefault("statuspage.pacers", {})


def sender_for(app: Flask, channel: Channel) -> Sender | None:
    """Return this process's sender for channel (built once), or None when none is registered."""
    senders = _senders(app)
    if channel in senders:
        return senders[channel]
    try:
        factory = sender_factory(channel)
    except LookupError:
        with _warned_lock:
            if channel not in _warned:
                _warned.add(channel)
                log.warning("no sender for channel %s: its deliveries stay queued", channel)
        return None
    senders[channel] = sender = factory(app)
    return sender


def close_senders(app: Flask) -> None:
    """Close every sender this process opened."""
    for sender in _senders(app).values():
        try:
            sender.close()
        except Exception:
            log.exception("could not close a sender")
    _senders(app).clear()


# -- claim ---------------------------------------------------------------------------------


def claim(channel: Channel, worker_id: str, limit: int, now: datetime) -> list[int]:
    """Mark up to limit due deliveries of channel as being sent by worker_id; return their ids."""
    lease = now + timedelta(seconds=float(current_app.config["DELIVERY_LEASE_SECONDS"]))
    due = (
        sa.select(_table.c.id)
        .where(
            _table.c.channel == channel.value,
            _table.c.state.in_(_DUE_STATES),
            _table.c.next_attempt_at <= now,
        )
        .order_by(_table.c.next_attempt_at, _table.c.id)
        .limit(limit)
    )
    with unit_of_work() as session:
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        result = session.execute(
            sa.update(_table)
            .where(_table.c.id.in_(due.scalar_subquery()))
            .values(
                state=DeliveryState.SENDING.value,
                lease_until=lease,
                claimed_by=worker_id,
                attempts=_table.c.attempts + 1,
            )
            .returning(_table.c.id)
        )
        ids = sorted(result.scalars().all())
    return ids


def due_channels(now: datetime) -> list[Channel]:
    """Return the channels that have deliveries due now."""
    rows = db.session.scalars(
        sa.select(_table.c.channel)
        .where(_table.c.state.in_(_DUE_STATES), _table.c.next_attempt_at <= now)
        .distinct()
    ).all()
    db.session.rollback()  # end the read; claims open their own transactions
    return [Channel(value) for value in rows]


# -- build the messages --------------------------------------------------------------------


@dataclass
class _Claimed:
    delivery_id: int
    key: str
    event_id: int
    attempts: int
    subscriber_id: int | None
    channel: Channel
    outgoing: Outgoing | None  # None: the recipient no longer wants it (skipped)


def _load(ids: Sequence[int]) -> list[_Claimed]:
    """Read the claimed rows with their recipients and events, and build each Outgoing."""
    app_config = current_app.config
    base = str(app_config["BASE_URL"]).rstrip("/")
    settings = get_page_settings()
    default_language = settings.default_language or "en"
    rows = db.session.execute(
        sa.select(
            _table.c.id,
            _table.c.key,
            _table.c.event_id,
            _table.c.attempts,
            _table.c.subscriber_id,
            _table.c.channel,
            Subscriber.public_id,
            Subscriber.token_version,
            Subscriber.target,
            Subscriber.language,
            Subscriber.state,
            Subscriber.webhook_secret_salt,
            BroadcastChannel.apprise_url,
            BroadcastChannel.enabled,
        )
        .select_from(_table)
        .outerjoin(Subscriber, Subscriber.id == _table.c.subscriber_id)
        .outerjoin(BroadcastChannel, BroadcastChannel.id == _table.c.broadcast_channel_id)
        .where(_table.c.id.in_(list(ids)))
        .order_by(_table.c.id)
    ).all()
    event_ids = sorted({r.event_id for r in rows})
    events = {
        e.id: (e.kind, e.payload or {})
        for e in db.session.execute(
            sa.select(OutboxEvent.id, OutboxEvent.kind, OutboxEvent.payload).where(
                OutboxEvent.id.in_(event_ids)
            )
        )
    }
    page = {"id": settings.public_id or "", "name": settings.name, "url": settings.url or base}
    claimed = []
    for r in rows:
        kind, payload = events[r.event_id]
        channel = Channel(r.channel)
        outgoing: Outgoing | None = None
        if r.subscriber_id is not None and r.public_id is not None:
            state = SubscriberState(r.state)
            if kind == CONFIRMATION_REQUESTED:
                wanted = state is SubscriberState.UNCONFIRMED
            elif "route" not in payload:  # a ping to a new endpoint
                wanted = state in (SubscriberState.ACTIVE, SubscriberState.UNCONFIRMED)
            else:
                wanted = state is SubscriberState.ACTIVE
            if wanted:
                outgoing = _subscriber_outgoing(r, kind, payload, page, base, default_language)
        elif r.apprise_url is not None and r.enabled:
            context = payload.get("context") or {"kind": kind, "page": page}
            outgoing = Outgoing(
                delivery_id=r.id,
                key=r.key,
                channel=channel,
                target=r.apprise_url,
                language=default_language,
                context=context,
            )
        claimed.append(
            _Claimed(r.id, r.key, r.event_id, r.attempts, r.subscriber_id, channel, outgoing)
        )
    return claimed


def _subscriber_outgoing(
    r: Any,
    kind: str,
    payload: dict[str, Any],
    page: dict[str, Any],
    base: str,
    default_language: str,
) -> Outgoing:
    # A detached stand-in: tokens and the webhook secret read only these columns.
    person = Subscriber(
        public_id=r.public_id,
        token_version=r.token_version,
        webhook_secret_salt=r.webhook_secret_salt,
    )
    if "context" in payload:
        context = payload["context"]
    else:
        context = {"kind": kind, "page": page, "subscriber_id": r.public_id}
        if kind == CONFIRMATION_REQUESTED:
            if payload.get("code"):
                context["code"] = payload["code"]
            else:
                context["confirm_url"] = (
                    f"{base}/subscriptions/confirm/{make_token(person, Purpose.CONFIRM)}"
                )
    channel = Channel(r.channel)
    secret = webhook_secret(person) if r.webhook_secret_salt else None
    return Outgoing(
        delivery_id=r.id,
        key=r.key,
        channel=channel,
        target=r.target,
        language=r.language or default_language,
        context=context,
        manage_url=f"{base}/subscriptions/{make_token(person, Purpose.MANAGE)}",
        unsubscribe_url=f"{base}/unsubscribe/{make_token(person, Purpose.UNSUBSCRIBE)}",
        secret=secret,
    )


# -- record --------------------------------------------------------------------------------


def _record(
    worker_id: str,
    claimed: Sequence[_Claimed],
    results: dict[int, Result],
    duration_ms: int,
    now: datetime,
) -> None:
    """Write each delivery's new state and attempt, and track subscribers' hard failures."""
    max_attempts = int(current_app.config["DELIVERY_MAX_ATTEMPTS"])
    updates: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    ok_subscribers: list[int] = []
    hard_subscribers: list[int] = []
    code_sent_events: set[int] = set()
    for item in claimed:
        result = results.get(item.delivery_id)
        if result is None:  # skipped: the recipient unsubscribed or was quarantined meanwhile
            updates.append(_update(item, DeliveryState.SKIPPED, None, now, None))
            continue
        if result.ok:
            updates.append(_update(item, DeliveryState.SENT, None, now, now))
            if item.subscriber_id is not None:
                ok_subscribers.append(item.subscriber_id)
            if item.outgoing is not None and "code" in item.outgoing.context:
                code_sent_events.add(item.event_id)
        else:
            error = (result.error or "failed")[:500]
            if result.permanent or item.attempts >= max_attempts:
                updates.append(_update(item, DeliveryState.DEAD, error, now, None))
                if item.subscriber_id is not None:
                    hard_subscribers.append(item.subscriber_id)
            else:
                later = now + retry_delay(item.attempts)
                updates.append(_update(item, DeliveryState.FAILED, error, later, None))
        attempts.append(
            {
                "delivery_id": item.delivery_id,
                "at": now,
                "ok": result.ok,
                "error": None if result.ok else (result.error or "failed")[:500],
                "duration_ms": duration_ms,
            }
        )
    mine = sa.and_(
        _table.c.state == DeliveryState.SENDING.value, _table.c.claimed_by == worker_id
    )
    # The common outcomes (sent, skipped) share their values: one UPDATE ... IN each.
    shared: dict[str, list[int]] = {}
    single: list[dict[str, Any]] = []
    for row in updates:
        if row["b_state"] in (DeliveryState.SENT.value, DeliveryState.SKIPPED.value):
            shared.setdefault(row["b_state"], []).append(row["b_id"])
        else:
            single.append(row)
    with unit_of_work() as session:
        for state, ids in shared.items():
            session.execute(
                sa.update(_table)
                .where(_table.c.id.in_(ids), mine)
                .values(
                    state=state,
                    last_error=None,
                    sent_at=now if state == DeliveryState.SENT.value else None,
                    lease_until=None,
                    claimed_by=None,
                )
            )
        if single:
            session.execute(
                sa.update(_table)
                .where(_table.c.id == sa.bindparam("b_id"), mine)
                .values(
                    state=sa.bindparam("b_state"),
                    last_error=sa.bindparam("b_error"),
                    next_attempt_at=sa.bindparam("b_next"),
                    sent_at=sa.bindparam("b_sent"),
                    lease_until=None,
                    claimed_by=None,
                ),
                single,
            )
        if attempts:
            session.execute(sa.insert(_attempts), attempts)
        _track_failures(ok_subscribers, hard_subscribers)
        for event_id in code_sent_events:
            # The SMS code has been texted: keep only its hash (on the subscriber).
            event = session.get(OutboxEvent, event_id)
            if event is not None and "code" in (event.payload or {}):
                event.payload = {k: v for k, v in event.payload.items() if k != "code"}


def _update(
    item: _Claimed,
    state: DeliveryState,
    error: str | None,
    next_at: datetime,
    sent_at: datetime | None,
) -> dict[str, Any]:
    return {
        "b_id": item.delivery_id,
        "b_state": state.value,
        "b_error": error,
        "b_next": next_at,
        "b_sent": sent_at,
    }


def _track_failures(ok: list[int], hard: list[int]) -> None:
    subscribers = Subscriber.__table__
    if ok:
        db.session.execute(
            sa.update(subscribers)
            .where(subscribers.c.id.in_(ok), subscribers.c.failure_count != 0)
            .values(failure_count=0)
        )
    if not hard:
        return
    db.session.execute(
        sa.update(subscribers)
        .where(subscribers.c.id.in_(hard))
        .values(failure_count=subscribers.c.failure_count + 1)
    )
    threshold = int(current_app.config["DELIVERY_QUARANTINE_AFTER"])
    for subscriber in db.session.scalars(
        sa.select(Subscriber).where(
            Subscriber.id.in_(hard),
            Subscriber.failure_count >= threshold,
            Subscriber.state == SubscriberState.ACTIVE,
        )
    ):
        log.info("quarantining subscriber %s after repeated failures", subscriber.public_id)
        quarantine(subscriber, actor="worker")


# -- the tasks -----------------------------------------------------------------------------


def deliver_batch(channel: Channel, worker_id: str, now: datetime, limit: int) -> int:
    """Claim, send and record one batch of channel; return how many were claimed."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    sender = sender_for(app, channel)
    if sender is None:
        return 0
    ids = claim(channel, worker_id, limit, now)
    if not ids:
        return 0
    claimed = _load(ids)
    db.session.rollback()  # no transaction stays open while the sender works
    batch = [c.outgoing for c in claimed if c.outgoing is not None]
    results: dict[int, Result] = {}
    started = time.monotonic()
    if batch:
        try:
            answers = sender.send(batch)
        except Exception as exc:  # a broken sender fails the batch, retried later
            log.exception("sender for %s failed", channel)
            answers = [Result(ok=False, error=f"{type(exc).__name__}: {exc}") for _ in batch]
        if len(answers) != len(batch):
            answers = [Result(ok=False, error="the sender gave no answer")] * len(batch)
        results = {m.delivery_id: a for m, a in zip(batch, answers, strict=True)}
    duration = int((time.monotonic() - started) * 1000 / max(len(batch), 1))
    _record(worker_id, claimed, results, duration, utcnow())
    failed = sum(1 for r in results.values() if not r.ok)
    log.info(
        "%s: %d sent, %d failed, %d skipped (batch of %d)",
        channel.value,
        len(results) - failed,
        failed,
        len(claimed) - len(results),
        len(ids),
    )
    return len(ids)


def run_deliveries(now: datetime, worker_id: str, *, budget: float | None = None) -> int:
    """Send due deliveries channel by channel, batch after batch, within the time budget."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    limit = float(budget if budget is not None else app.config["DELIVERY_TICK_BUDGET"])
    size = int(app.config["DELIVERY_BATCH_SIZE"])
    rates: dict[str, float] = dict(app.config.get("DELIVERY_RATES") or {})
    started = time.monotonic()
    sent = 0
    active = due_channels(now)
    while active:  # at least one pass, then while the budget lasts
        for channel in list(active):
            allowed = size
            pacer = None
            if rates.get(channel.value):
                pacer = _pacers(app).setdefault(channel.value, _Pacer(rates[channel.value]))
                allowed = min(size, pacer.allowance())
                if allowed < 1:
                    continue
            count = deliver_batch(channel, worker_id, utcnow(), allowed)
            if pacer is not None:
                pacer.spend(count)
            sent += count
            if count == 0:
                active.remove(channel)
        if time.monotonic() - started > limit:
            break
        if active and all(rates.get(c.value) for c in active):
            time.sleep(0.2)  # only paced channels left: wait for their tokens
    return sent


def sweep_leases(now: datetime) -> int:
    """Put deliveries whose claim expired (a worker died) back in the queue; return how many."""
    with unit_of_work() as session:
        ids = (
            session.execute(
                sa.update(_table)
                .where(
                    _table.c.state == DeliveryState.SENDING.value,
                    _table.c.lease_until < now,
                )
                .values(state=DeliveryState.QUEUED.value, lease_until=None, claimed_by=None)
                .returning(_table.c.id)
            )
            .scalars()
            .all()
        )
        if ids:
            session.execute(
                sa.insert(_attempts),
                [
                    {
                        "delivery_id": delivery_id,
                        "at": now,
                        "ok": False,
                        "error": "the worker sending it stopped; it will be sent again",
                        "duration_ms": 0,
                    }
                    for delivery_id in ids
                ],
            )
    return len(ids)
