"""Helpers for tests."""

import time


def wait_for(condition, timeout: float = 15.0):
    """Poll ``condition`` until it is true (for effects of tasks run by a real worker)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a background task")
        time.sleep(0.05)
