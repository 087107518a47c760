"""Where objects live: the ``Store`` interface (``base``), the in-memory store (``memory``), the
persistent one (``sqlite`` and its ``sqlite_*`` parts, ``schema``, blobs on ``disk``), the data
dir (``datadir``) and paging."""
