"""Work that Ctrl-C can stop: XLA compilation.

XLA compiles in C++ without returning to the interpreter, so a KeyboardInterrupt raised
while the main thread waits on it is acted on only when the compilation ends (16 to 29 s
later on a 100-variable model). Running the work on a daemon thread while the main thread
waits in short, interruptible slices lets Ctrl-C reach the user at once; the abandoned
compilation finishes in the background and its result is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["interruptible"]


_POLL_SECONDS = 0.05


def interruptible[R](fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``fn(*args, **kwargs)`` on a worker thread; a KeyboardInterrupt in the caller stops
    the wait within ``_POLL_SECONDS`` and propagates. Exceptions of ``fn`` are re-raised
    in the caller. Called off the main thread it simply calls ``fn``."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args, **kwargs)
    done = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed to the caller unchanged
            box["error"] = e
        finally:
            done.set()

    threading.Thread(target=work, name="credo-compile", daemon=True).start()
    while not done.wait(_POLL_SECONDS):
        pass
    if "error" in box:
        raise box["error"]
    return box["value"]
