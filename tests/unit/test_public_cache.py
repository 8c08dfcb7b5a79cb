"""The public cache's bookkeeping: LRU bounds, clearing during a build, single flight."""

from __future__ import annotations

import threading

from statuspage.public.cache import Entry, PublicCache


def entry(size: int, built_at: float = 0.0) -> Entry:
    return Entry(body=b"x" * size, headers=[], etag="e", built_at=built_at, localized=False)


def test_least_recently_used_goes_first_past_the_entry_limit():
    cache = PublicCache(ttl=1.0, max_entries=2)
    cache.put("a", entry(1), cache.generation)
    cache.put("b", entry(1), cache.generation)
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", entry(1), cache.generation)
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert len(cache) == 2


def test_byte_limit_evicts_and_refuses_oversized_entries():
    cache = PublicCache(ttl=1.0, max_bytes=100)
    cache.put("a", entry(60), cache.generation)
    cache.put("b", entry(60), cache.generation)
    assert cache.get("a") is None
    assert cache.bytes == 60
    assert not cache.put("huge", entry(101), cache.generation)
    assert cache.get("b") is not None


def test_replacing_an_entry_keeps_the_byte_count_right():
    cache = PublicCache(ttl=1.0)
    cache.put("a", entry(10), cache.generation)
    cache.put("a", entry(30), cache.generation)
    assert cache.bytes == 30
    cache.clear()
    assert cache.bytes == 0
    assert len(cache) == 0


def test_a_build_started_before_a_clear_is_not_stored():
    cache = PublicCache(ttl=1.0)
    started = cache.generation
    cache.clear()  # something was published while the build read the old data
    assert not cache.put("a", entry(1), started)
    assert cache.get("a") is None
    assert cache.put("a", entry(1), cache.generation)


def test_freshness_follows_the_ttl():
    cache = PublicCache(ttl=1.0)
    item = entry(1, built_at=10.0)
    assert cache.is_fresh(item, 10.99)
    assert not cache.is_fresh(item, 11.0)


def test_only_one_thread_claims_a_rebuild():
    cache = PublicCache(ttl=1.0)
    assert cache.claim("a")
    assert not cache.claim("a")
    assert cache.claim("b")
    woke = threading.Event()
    waiter = threading.Thread(target=lambda: (cache.wait("a", 10), woke.set()))
    waiter.start()
    cache.release("a")
    waiter.join(10)
    assert woke.is_set()
    assert cache.claim("a")


def test_database_down_latch_lasts_one_ttl():
    cache = PublicCache(ttl=1.0)
    assert not cache.database_down(5.0)
    cache.mark_down(5.0)
    assert cache.database_down(5.5)
    assert not cache.database_down(6.0)
    cache.mark_down(7.0)
    cache.mark_up()
    assert not cache.database_down(7.1)
