"""The load benchmark, short: every user's replies arrive, each once and in order.

The same harness as ``benchmarks/load_bench.py`` (the bot as its own process, the fake
platforms on loopback, the four-style message mix), at a size CI can afford. It fails on a
lost, duplicated or reordered reply, never on time; the speed figures are in
docs/performance.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.load_bench import Options, measure_target


@pytest.mark.slow
@pytest.mark.parametrize("target", ["echo", "telegram", "messenger"])
async def test_every_reply_arrives_once_and_in_order(
    target: str, tmp_path: Path, nlu_cache_dir: Path, nlu_engine: object
) -> None:
    assert os.environ["CETS_CACHE_DIR"] == str(nlu_cache_dir)  # the bot loads the session's NLU
    options = Options(targets=(target,), users=12, per_user=6, scripts=4, steady_seconds=0)
    [burst] = await measure_target(target, options, tmp_path)
    assert burst.messages == 72
    assert burst.send_errors == 0, burst.problems
    assert (burst.lost_replies, burst.extra_replies) == (0, 0), burst.problems
    assert burst.users_with_wrong_replies == 0, burst.problems
    assert burst.replies >= burst.messages
