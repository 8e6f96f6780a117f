"""Deep recursions without mapping and unmapping memory on every turn.

CPython 3.11 keeps the frames of Python calls in chunks of 16 KiB, allocated with mmap, and frees a
chunk (munmap) as soon as the frame at its base returns. GraphQL completes a list by recursion
(execute_field, complete_value, complete_object_value, execute_fields, ... once per level of the
selection), started some sixty frames deep under Django's middleware: its depth goes back and forth
across a chunk's end once per object of the list, and every crossing maps a fresh chunk and faults its
pages in. For a page of 50 appeals that was about 800 page faults per request, and some 20% of the
request's CPU (kernel time, and the cold memory after it).

``with_room(function, *args, **kwargs)`` calls ``function`` from a frame that takes more than a chunk
for itself: the interpreter gives it a chunk of its own of twice that size (the smallest chunk is 16
KiB, doubled until the frame fits), at whose base it stays until the call returns, and the recursion
runs in the rest of that chunk. One chunk is mapped per call instead of one per object. Outside CPython
the function is simply called.
"""

from __future__ import annotations

import sys

# Slots of the calling frame, 8 bytes each: a little over 32 KiB, so that the interpreter maps a 64 KiB
# chunk for it and about 30 KiB (some 150 frames of plain functions) remain for the recursion.
FRAME_SLOTS = 4200


def _roomy_caller(slots: int):
    names = [f"_{index}" for index in range(slots)]
    source = (f"def call(function, args, kwargs):\n    {' = '.join(names)} = None\n"
              f"    return function(*args, **kwargs)\n")
    namespace: dict = {}
    exec(compile(source, __name__, "exec"), namespace)  # noqa: S102 - fixed source, built above
    return namespace["call"]


_call = _roomy_caller(FRAME_SLOTS) if sys.implementation.name == "cpython" else None


def with_room(function, *args, **kwargs):
    """``function(*args, **kwargs)``, called from a frame at the base of a chunk of its own."""
    if _call is None:
        return function(*args, **kwargs)
    return _call(function, args, kwargs)
