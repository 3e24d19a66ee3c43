"""Real-article quality harness: a git-ignored dev set of real ru/en/ar pages, committed
annotations (offsets and hashes, no third-party text) and per-stage figures."""
