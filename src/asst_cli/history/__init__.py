"""Thread history: ``asst export --threads`` bundles, ``asst import`` and ``asst convert``.

bundle (layout, lines, manifest) · sources (which threads) · walk (one thread's lines and the
files objects name) · exporting (the resumable export), resume (a thread's file, page by page)
· importing, lossless and replay (the two imports), idmap (the replay's old -> new ids), remap
(its request bodies) · conversations (the lossy conversion).
"""
