"""The public rate limits' counters: the limit holds per key and window, an expired counter
is forgotten, and the sweep that gives memory back runs at most once a second instead of
starting a thread after every hit."""

import threading
import time

from limits import parse

from web.guards import SWEEP_EVERY_S, Limits, SweptMemoryStorage


def test_three_per_minute_lets_three_through_per_key_and_refuses_the_fourth():
    limits = Limits.from_settings("3/minute", "100/minute", "100/minute")
    answers = [limits.allow(limits.per_address, "address", "10.0.0.1") for _ in range(4)]
    assert answers == [True, True, True, False]
    assert limits.allow(limits.per_address, "address", "10.0.0.2") is True
    assert limits.retry_after(limits.per_address, "address", "10.0.0.1") >= 1


def test_hits_spread_over_time_start_a_sweep_at_most_once_a_second():
    """MemoryStorage alone starts a sweeping thread for every hit more than 10 ms after the
    last sweep: forty here."""
    storage = SweptMemoryStorage()
    storage.timer.join()  # the one MemoryStorage starts when made
    started = []
    real_start = threading.Timer.start

    def counted_start(timer):
        started.append(timer)
        real_start(timer)

    threading.Timer.start = counted_start
    clock = time.monotonic()
    try:
        for n in range(40):
            storage.incr(f"address/10.0.0.{n}", expiry=60)
            time.sleep(0.015)
    finally:
        threading.Timer.start = real_start
    elapsed = time.monotonic() - clock
    assert 1 <= len(started) <= 1 + int(elapsed / SWEEP_EVERY_S)


def test_an_expired_counter_is_swept_and_reads_as_zero():
    storage = SweptMemoryStorage()
    storage.incr("venue/abc", expiry=1)
    assert storage.get("venue/abc") == 1
    time.sleep(1.05)
    assert storage.get("venue/abc") == 0  # read after its expiry: dropped on the spot
    storage.incr("venue/def", expiry=0.01)
    storage._next_sweep = 0.0
    storage.timer.join()
    storage.incr("venue/ghi", expiry=60)  # schedules the sweep, which runs 10 ms later
    storage.timer.join()
    assert "venue/def" not in storage.storage
    assert storage.get("venue/ghi") == 1


def test_the_sliding_window_limiter_counts_through_the_swept_storage():
    limits = Limits.from_settings("2/second", "100/minute", "100/minute")
    assert isinstance(limits.limiter.storage, SweptMemoryStorage)
    item = parse("2/second")
    assert [limits.limiter.hit(item, "k") for _ in range(3)] == [True, True, False]
