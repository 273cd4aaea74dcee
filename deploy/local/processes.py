"""The processes the native stack and the tests start, and waiting on them.

One way to run a command to its end (`run`), to keep a long-running process with its own log
file (`Process`: started in a session of its own, stopped with SIGTERM and then SIGKILL for its
whole group), and to wait for a condition while watching such processes (`wait_until`: it fails
at once when one of them exits, and names the condition and the end of their logs when time
runs out). The tests import this module; it imports nothing from them.
"""

import contextlib
import os
import signal
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Self, TypeVar

ROOT = Path(__file__).resolve().parents[2]

T = TypeVar("T")


class ProcessError(RuntimeError):
    """A command failed, a process exited early, or a condition never came true."""


class CommandFailed(ProcessError):
    """A command run to its end exited with an error; the message ends with its stderr."""


class ProcessExited(ProcessError):
    """A watched process exited while waiting for something; the message ends with its log."""


class WaitTimeout(ProcessError):
    """A condition did not come true in time; the message names it."""


def run(
    command: Sequence[str], *, env: Mapping[str, str], timeout: float, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run `command` to its end with exactly `env`; its output is returned, a failure raised."""
    result = subprocess.run(  # noqa: S603 - our own command lines
        list(command),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        shown = textwrap.shorten(" ".join([Path(command[0]).name, *command[1:]]), 300)
        raise CommandFailed(f"{shown} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


class Process:
    """One long-running command, its output appended to `log`, in a session of its own so that
    stopping it ends every process it started too (gunicorn's and Celery's workers)."""

    def __init__(self, name: str, command: Sequence[str], *, env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(env)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        """Start the command (again, if it ran before)."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def describe(self) -> str:
        """Its name and state, for failure messages."""
        if self.process is None:
            return f"{self.name} (not started)"
        return f"{self.name} ({'running' if self.running() else f'exit code {self.returncode}'})"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exited(self) -> bool:
        """Started, and no longer running."""
        return self.process is not None and self.process.poll() is not None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:]) or "(no log)"

    def terminate(self) -> None:
        """Ask the group's leader to stop: gunicorn and Celery then stop their own children."""
        if self.running():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)

    def reap(self, deadline: float) -> None:
        """Wait for the leader until `deadline` (monotonic), then kill what is left of its group."""
        if self.process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (a warm shutdown, as in production), SIGKILL after `timeout`; the exit code."""
        stop_all([self], timeout)
        return self.returncode

    def wait_until(self, condition: Callable[[], T], what: str, *, timeout: float, pause: float = 0.2) -> T:
        """`wait_until` watching this process, showing its whole log on a timeout."""
        return wait_until(condition, what, timeout=timeout, pause=pause, watch=[self], details=self.output)

    def __enter__(self) -> Self:
        self.spawn()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def stop_all(processes: Iterable[Process], timeout: float = 20) -> None:
    """Stop them together: every one is asked first, then each gets what is left of `timeout`."""
    processes = list(processes)
    deadline = time.monotonic() + timeout
    for process in processes:
        process.terminate()
    for process in processes:
        process.reap(deadline)


def log_tails(processes: Iterable[Process], lines: int = 40) -> str:
    """The end of each one's log under its name and state, for a failure message."""
    return "\n\n".join(f"--- {process.describe()}:\n{process.log_tail(lines)}" for process in processes)


def wait_until(
    condition: Callable[[], T],
    what: str,
    *,
    timeout: float,
    pause: float = 0.2,
    watch: Iterable[Process] = (),
    details: Callable[[], str] | None = None,
) -> T:
    """Call `condition` every `pause` seconds until it returns something true, and return that.

    Raises ProcessExited as soon as a process in `watch` has exited (with the end of its log),
    WaitTimeout after `timeout` seconds (with `details()`, by default the end of the watched
    processes' logs). `what` names the condition: "the first sync", "web to answer".
    """
    watched = list(watch)
    deadline = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        if dead := [process for process in watched if process.exited()]:
            names = ", ".join(process.name for process in dead)
            raise ProcessExited(f"{names} exited while waiting for {what}:\n{log_tails(dead)}")
        if time.monotonic() > deadline:
            shown = details() if details is not None else log_tails(watched, 15)
            raise WaitTimeout(f"gave up waiting for {what} after {timeout:.0f} s\n{shown}".rstrip())
        # Waiting on other processes or threads: there is no event of ours to wait on.
        time.sleep(pause)
