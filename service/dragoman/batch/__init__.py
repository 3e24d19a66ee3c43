"""Batch brief generation: story clustering of a mixed feed."""
