"""The cache: (code object, globals, wrt, mode, argument kinds) -> compiled derivatives.

Keyed by the code object's identity, so editing and re-defining a function misses. Under one
key it keeps a few derivatives, each asked whether it is still current (`valid`): one
compiled before a helper it calls was re-defined is not, and two closures with the same code
and different captured helpers get one each. Safe under threads (one lock; a derivative is
compiled once even when two threads ask at the same time).
"""
import threading
import weakref

VARIANTS = 4  # derivatives kept under one key (the most recently compiled)


class Cache:
    def __init__(self):
        self._lock = threading.RLock()
        self._entries = {}
        self._holders = weakref.WeakSet()  # objects holding derivatives from here (see clear)

    def watch(self, holder):
        """`holder.forget()` is called by `clear`: it keeps derivatives it got from here."""
        self._holders.add(holder)

    def get(self, key, build, valid=None):
        """The entry under `key` for which `valid(entry)` holds, else `build()`'s, kept."""
        found = self._find(key, valid)
        if found is not None:
            return found
        with self._lock:
            found = self._find(key, valid)
            if found is None:
                found = build()
                self._entries[key] = [found] + self._entries.get(key, [])[:VARIANTS - 1]
            return found

    def _find(self, key, valid):
        for entry in self._entries.get(key, ()):  # lists are replaced, never changed in place
            if valid is None or valid(entry):
                return entry
        return None

    def holding(self, code):
        """The derivative whose compiled code (or reverse part) is `code`, else None: export
        reads the text of a helper's derivative from it."""
        for entries in list(self._entries.values()):
            for entry in entries:
                if entry.code is code or entry.reverse_code is code:
                    return entry
        return None

    def clear(self):
        """Drop every derivative, also those the watched holders keep (the transformations'
        specialisations): a rule was registered, and any of them may have used the old one."""
        with self._lock:
            self._entries.clear()
            for holder in list(self._holders):
                holder.forget()

    def __len__(self):
        return sum(map(len, list(self._entries.values())))


CACHE = Cache()
