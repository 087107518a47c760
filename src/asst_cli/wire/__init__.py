"""What crosses the wire besides the request itself: creates made safe to retry (once), and a
bound on the size of any reply (limits). api.py is their only user."""
