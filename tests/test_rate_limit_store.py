"""The rate limits' in-process store (no REDIS_URL): exact windows, no thread per hit, swept."""

import time

from limits.storage import storage_from_string

from extensions import InProcessLimitStore


def settled_store() -> InProcessLimitStore:
    store = storage_from_string("memory-swept://")
    store.timer.join()  # the one sweep limits schedules when the store is made
    return store


def test_the_config_scheme_names_the_swept_store():
    assert isinstance(storage_from_string("memory-swept://"), InProcessLimitStore)


def test_a_counter_counts_within_its_window_and_starts_again_after_it():
    store = settled_store()
    assert [store.incr("ip-1", expiry=0.05) for _ in range(3)] == [1, 2, 3]
    assert store.get("ip-2") == 0
    time.sleep(0.06)
    assert store.incr("ip-1", expiry=0.05) == 1


def test_counting_starts_no_thread():
    store = settled_store()
    for n in range(20):
        store.incr(f"ip-{n}", expiry=60)
        assert not store.timer.is_alive()  # limits' own MemoryStorage has started a timer here


def test_expired_counters_are_swept_by_a_later_count():
    store = settled_store()
    store.SWEEP_EVERY_SECONDS = 0.0
    store.incr("gone", expiry=0.01)
    time.sleep(0.02)
    store.incr("other", expiry=60)
    assert "gone" not in store.storage and "gone" not in store.expirations
    assert store.storage["other"] == 1
