"""The global cache: layout, versioned buckets, atomic writes, locks, clean and prune."""
