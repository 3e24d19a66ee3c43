"""Unit tests: fast and pure, no server."""
