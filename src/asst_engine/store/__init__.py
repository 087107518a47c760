"""Where objects live: the ``Store`` interface, its in-memory implementation, blobs, paging."""
