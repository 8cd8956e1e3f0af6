"""The cache: (code object, globals, wrt, mode, argument kinds) -> compiled derivative.

Keyed by the code object, so editing and re-defining a function misses; safe under threads
(one lock; a derivative is compiled once even when two threads ask at the same time).
"""
import threading


class Identity:
    """A key part that is equal only to itself (code objects compare by value: two functions
    with the same text in different modules would otherwise share a derivative)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, Identity) and other.obj is self.obj


class Cache:
    def __init__(self):
        self._lock = threading.RLock()
        self._entries = {}

    def get(self, key, build):
        entry = self._entries.get(key)
        if entry is not None:
            return entry
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = build()
                self._entries[key] = entry
            return entry

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


CACHE = Cache()
