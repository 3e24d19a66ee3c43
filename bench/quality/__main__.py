"""`python -m bench.quality`: score the brief on the real-article dev set."""

from bench.quality.harness import main

main()
