"""The brief pipeline: pure functions from articles to one structured, consistent brief."""
