"""``with_room`` calls a function as it is, from a frame at the base of a frame-stack chunk of its own:
a recursion that goes back and forth many times inside it maps no memory on each turn."""

from __future__ import annotations

import resource
import sys

import pytest

from gorodok_graphql.core.stack import with_room


def test_it_is_a_plain_call():
    assert with_room(lambda a, b=0, *, c: (a, b, c), 1, b=2, c=3) == (1, 2, 3)
    with pytest.raises(ZeroDivisionError):
        with_room(lambda: 1 / 0)
    assert with_room(with_room, sum, [1, 2]) == 3


def _down(depth: int) -> int:
    return 0 if depth == 0 else 1 + _down(depth - 1)


def _back_and_forth(turns: int, depth: int) -> int:
    return sum(_down(depth) for _ in range(turns))


def _faults_of_turns_at_depth(depth: int) -> int:
    """Page faults of 2,000 recursions 60 calls deep, started ``depth`` calls down."""
    if depth:
        return _faults_of_turns_at_depth(depth - 1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    assert _back_and_forth(2000, 60) == 2000 * 60
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(sys.implementation.name != "cpython" or not sys.platform.startswith("linux"),
                    reason="CPython's frame stack and Linux page fault counts")
def test_a_recursion_going_back_and_forth_inside_faults_no_pages_in_each_turn():
    # Called as it is, some starting depth puts the turns across a chunk's end: a fault or more per turn.
    # From with_room, none does.
    with_room(_faults_of_turns_at_depth, 0)
    for depth in range(0, 90, 10):  # the room holds some 160 such frames
        assert with_room(_faults_of_turns_at_depth, depth) < 200, depth
