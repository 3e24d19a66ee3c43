"""Admission control: slots per rpc, a bounded wait, Overloaded with a retry hint past it, and no
slot lost when a waiting caller leaves or its deadline passes."""

from __future__ import annotations

import asyncio

import pytest

from dragoman.api.admission import Admission
from dragoman.config import Settings
from dragoman.errors import DeadlineExceeded, Overloaded


def _admission(briefs: int = 1, others: int = 2, waiting: int = 1) -> Admission:
    return Admission(
        Settings(
            max_concurrent_briefs=briefs,
            max_concurrent_requests=others,
            max_waiting_requests=waiting,
        )
    )


async def test_full_gate_queues_then_refuses_with_a_retry_hint() -> None:
    adm = _admission(briefs=1, waiting=1)
    release = asyncio.Event()
    order: list[str] = []

    async def call(name: str) -> None:
        async with adm.slot("Brief", None):
            order.append(name)
            await release.wait()

    first = asyncio.create_task(call("first"))
    await asyncio.sleep(0)
    second = asyncio.create_task(call("second"))  # waits for the slot
    await asyncio.sleep(0)
    assert adm.state()["Brief"] == (1, 1)
    with pytest.raises(Overloaded, match="1 Brief calls running and 1 waiting") as err:
        async with adm.slot("Brief", None):
            pass
    assert err.value.retry_after_ms >= 100
    # other rpcs have their own slots
    async with adm.slot("Translate", None):
        assert adm.state()["Translate"] == (1, 0)
    release.set()
    await asyncio.gather(first, second)
    assert order == ["first", "second"]
    assert adm.state()["Brief"] == (0, 0)


async def test_deadline_while_waiting_is_deadline_exceeded_and_frees_the_place() -> None:
    adm = _admission(briefs=1, waiting=4)
    loop = asyncio.get_running_loop()
    release = asyncio.Event()

    async def hold() -> None:
        async with adm.slot("Brief", None):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    with pytest.raises(DeadlineExceeded, match="waited for one of 1 Brief slots"):
        async with adm.slot("Brief", loop.time() + 0.05):
            pass
    assert adm.state()["Brief"] == (1, 0)
    release.set()
    await holder
    async with adm.slot("Brief", None):
        assert adm.state()["Brief"] == (1, 0)


async def test_caller_leaving_while_waiting_loses_no_slot() -> None:
    adm = _admission(briefs=1, waiting=4)
    release = asyncio.Event()
    entered: list[int] = []

    async def call(i: int) -> None:
        async with adm.slot("Brief", None):
            entered.append(i)
            await release.wait()

    holder = asyncio.create_task(call(0))
    await asyncio.sleep(0)
    leaving = asyncio.create_task(call(1))
    staying = asyncio.create_task(call(2))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    await holder
    await staying
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert entered == [0, 2]
    assert adm.state()["Brief"] == (0, 0)


async def test_slot_handed_over_as_the_caller_leaves_passes_on() -> None:
    adm = _admission(briefs=1, waiting=4)
    release = asyncio.Event()
    entered: list[int] = []

    async def call(i: int) -> None:
        async with adm.slot("Brief", None):
            entered.append(i)
            await release.wait()

    holder = asyncio.create_task(call(0))
    await asyncio.sleep(0)
    a = asyncio.create_task(call(1))
    b = asyncio.create_task(call(2))
    await asyncio.sleep(0)
    release.set()
    await holder  # the slot is handed to call 1 ...
    a.cancel()  # ... which leaves before it runs: call 2 must get it
    await b
    with pytest.raises(asyncio.CancelledError):
        await a
    assert 2 in entered and adm.state()["Brief"] == (0, 0)
