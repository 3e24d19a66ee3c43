"""Model backends, one file per family, behind the contracts in base.py."""
