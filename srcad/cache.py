"""The cache: (code object, wrt, mode, argument kinds) -> compiled derivative.

Keyed by the code object, so editing and re-defining a function misses; safe under threads
(one lock; a derivative is compiled once even when two threads ask at the same time).
"""
import threading


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
