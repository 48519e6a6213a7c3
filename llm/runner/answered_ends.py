"""The ends of answered calls, written in batches (a group commit).

With the database threads (PostgreSQL) a call's end is written after its caller has the answer
(execute.finish_shielded). One end at a time, each cost the database thread a wake-up, a Redis
round trip and a PostgreSQL statement: at 50 calls in flight that was 2 ms of every call's median
(docs/PERFORMANCE.md, eleventh round). Here an end waits up to LLM_END_BATCH_WINDOW_MS, and the
ends of the calls answered meanwhile are written as one job: one Redis round trip and one
statement (finish.record_ends). Meanwhile the run stays `running` with its hold, as during the
single write: if the process dies first, the reaper closes it.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings

from llm.runner import attempts
from llm.runner.finish import AnsweredEnd, record_ends

logger = logging.getLogger("llm")


class _Queue:
    def __init__(self) -> None:
        self.ends: list[AnsweredEnd] = []
        self.first_queued_at = 0.0
        # A job is in the database thread's queue and has not taken the ends yet: it will take
        # the ones queued meanwhile too.
        self.job_waiting = False
        self.closing = False  # the interpreter is exiting: the callers write their ends
        self.changed = threading.Condition()
        self.timer: threading.Thread | None = None


_queue = _Queue()


def _a_fresh_queue_in_a_forked_child() -> None:
    # The ends queued at the fork are the parent's to write, and its timer thread is not in the child.
    global _queue
    _queue = _Queue()


os.register_at_fork(after_in_child=_a_fresh_queue_in_a_forked_child)


def queue_answered_end(end: AnsweredEnd) -> bool:
    """Queue `end` for the next batch. False, and nothing queued, without database threads
    (SQLite) or while the interpreter exits: the caller writes it then."""
    if not attempts.has_db_threads():
        return False
    with _queue.changed:
        if _queue.closing:
            return False
        _queue.ends.append(end)
        if settings.LLM_END_BATCH_WINDOW_MS <= 0 or len(_queue.ends) >= settings.LLM_END_BATCH_MAX:
            _start_job()
        elif len(_queue.ends) == 1:
            _queue.first_queued_at = time.monotonic()
            _start_timer()
            _queue.changed.notify()
    return True


def background_db_work_done(timeout: float | None = 10.0) -> bool:
    """Wait for the database work handed off: the ends of calls already answered (the queued
    ones are sent now, without waiting out their window). True when none is left. For code that
    reads a run right after its call."""
    with _queue.changed:
        if _queue.ends:
            _start_job()
    return attempts.started_db_work_done(timeout)


def _start_job() -> None:
    """(holding `_queue.changed`)"""
    if _queue.job_waiting:
        return
    try:
        _queue.job_waiting = attempts.start_in_db_thread(_write_queued_ends)
    except RuntimeError:  # the threads are shut down (the interpreter is exiting): write them here
        _queue.closing = True
        _write_queued_ends()


def _write_queued_ends() -> None:
    with _queue.changed:
        ends, _queue.ends = _queue.ends, []
        _queue.job_waiting = False
    if not ends:
        return
    try:
        lost = record_ends(ends)
    except Exception as failure:  # noqa: BLE001 - nobody is left to raise to
        lost = [(end, failure) for end in ends]
    for end, why in lost:
        logger.error(
            "llm run end not recorded; the reaper will close it",
            exc_info=why,
            extra={"run_id": end.admission.run_id, "feature": end.result.feature, "request_id": end.result.request_id},
        )


def _start_timer() -> None:
    """(holding `_queue.changed`) The thread that sends the ends when their window is out."""
    if _queue.timer is not None:
        return
    _queue.timer = threading.Thread(target=_send_when_due, name="llm-end-batches", daemon=True)
    _queue.timer.start()
    # Before the database threads are shut down at exit (the interpreter calls these hooks in
    # the reverse order of their registration, after concurrent.futures' own).
    threading._register_atexit(_send_before_exit)  # type: ignore[attr-defined]


def _send_when_due() -> None:
    with _queue.changed:
        while True:
            if not _queue.ends or _queue.job_waiting:
                _queue.changed.wait()
                continue
            left = _queue.first_queued_at + settings.LLM_END_BATCH_WINDOW_MS / 1000 - time.monotonic()
            if left > 0:
                _queue.changed.wait(left)
                continue
            _start_job()


def _send_before_exit() -> None:
    with _queue.changed:
        _queue.closing = True
        if _queue.ends:
            _start_job()
