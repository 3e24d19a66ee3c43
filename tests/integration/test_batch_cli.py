"""`dragoman batch` as users run it: SIGKILL it at random points, several times, then run the
same command to the end - every article in exactly one story, no half-written file, and a run
over finished output rebuilds nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feed"


def _batch(out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DRAGOMAN_METRICS_PORT": "-1", "DRAGOMAN_TORCH_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "dragoman.cli", "batch", str(FEED), "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_at_random_points_then_finish_exactly_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rng = random.Random(11)
    for _ in range(3):
        proc = _batch(out)
        time.sleep(rng.uniform(3.0, 14.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    proc = _batch(out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert "articles  11" in err

    ids = sorted(json.loads(line)["id"] for line in (FEED / "feed.jsonl").read_text().splitlines())
    index = [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]
    placed = sorted(a for row in index for a in row["articles"])
    assert placed == ids  # every article once, none lost, none twice
    stories = {row["story"] for row in index}
    on_disk = {p.stem for p in (out / "stories").glob("*.json")}
    assert on_disk == stories and {p.stem for p in (out / "stories").glob("*.md")} == stories
    assert not list(out.glob("**/.*.tmp-*"))
    for sid in stories:
        json.loads((out / "stories" / f"{sid}.json").read_text())  # whole, valid files

    proc = _batch(out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "0 built" in err, err[-2000:]
