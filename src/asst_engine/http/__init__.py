"""The HTTP adapter: sockets, dispatch, routing, the three dialects, SSE and multipart."""
