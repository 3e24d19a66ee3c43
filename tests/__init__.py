"""dragoman tests."""
