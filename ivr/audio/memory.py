"""The most played audio kept in a web worker's own memory, bounded in bytes: a key's
bytes never change, so what is kept can never be stale."""
import threading

from cachetools import LRUCache


class MemoryCache:
    """The most played audio in this worker, bounded in bytes (an LRU cache that
    several request threads share, hence the lock)."""

    def __init__(self, budget):
        self.budget = budget
        self.items = LRUCache(maxsize=max(budget, 1), getsizeof=len)
        self.lock = threading.Lock()

    @property
    def used(self):
        return self.items.currsize

    def __contains__(self, key):
        return key in self.items

    def get(self, key):
        with self.lock:
            return self.items.get(key)

    def put(self, key, data):
        if len(data) > self.budget:
            return
        with self.lock:
            self.items[key] = data
