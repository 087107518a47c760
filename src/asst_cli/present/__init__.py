"""Reply and transcript text for people: rendering only, no requests of their own."""
