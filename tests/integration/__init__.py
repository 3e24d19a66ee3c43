"""Integration tests: the real server on port 0, called through a real channel."""
