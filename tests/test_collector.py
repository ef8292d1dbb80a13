"""The garbage collector paused while an import works (ingest.collector)."""

import gc
import weakref

from ingest.collector import PausedCollector


class Node:
    """Something that can be put in a cycle and watched by a weak reference."""

    def __init__(self) -> None:
        self.other: object = None


def a_cycle() -> weakref.ref:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


def test_the_collector_is_off_inside_and_back_after_even_when_the_work_fails():
    assert gc.isenabled()
    try:
        with PausedCollector():
            assert not gc.isenabled()
            raise RuntimeError("disk full")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_a_nested_pause_leaves_turning_it_back_on_to_the_outer_one():
    with PausedCollector():
        with PausedCollector():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_cycle_made_while_paused_is_freed_at_the_first_chunk_end_after_the_interval():
    with PausedCollector(young_every_s=0) as collector:
        watched = a_cycle()
        assert watched() is not None  # only the collector frees a cycle
        collector.chunk_done()
        assert watched() is None
        assert collector.young_collections == 1


def test_chunk_ends_within_the_interval_collect_nothing():
    with PausedCollector(young_every_s=3600) as collector:
        watched = a_cycle()
        for _ in range(3):
            collector.chunk_done()
        assert watched() is not None
        assert collector.young_collections == 0
    gc.collect()
    assert watched() is None
