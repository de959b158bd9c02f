"""CPU time and memory of process trees, read from /proc.

A process tree is a process and all its descendants: uvicorn and its workers, the postmaster
and its backends. CPU time is utime + stime of every live process in the tree, plus cutime +
cstime: the time of children that exited and were reaped by a process of the tree (a
PostgreSQL backend whose client disconnected), which /proc would otherwise forget.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Fields of /proc/<pid>/stat, counted from the state (field 3 in proc(5)), which follows the
# command name in parentheses.
_PPID, _UTIME, _STIME, _CUTIME, _CSTIME = 1, 11, 12, 13, 14


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name may contain spaces and parentheses: split after the last ")".
    return text[text.rindex(")") + 2 :].split()


def tree(root: int) -> list[int]:
    """The pid ``root`` and the pids of all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[_PPID]), []).append(int(entry.name))

    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """CPU time used so far by the tree under ``root``, reaped children included."""
    ticks = 0
    for pid in tree(root):
        if fields := _stat(pid):
            ticks += sum(int(fields[i]) for i in (_UTIME, _STIME, _CUTIME, _CSTIME))
    return ticks / CLOCK_TICKS


def client_backends(postmaster: int) -> int:
    """How many PostgreSQL backends under ``postmaster`` serve a client over TCP now."""
    count = 0
    for pid in tree(postmaster):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # A backend names its client in its title: "postgres: user db 127.0.0.1(40312) idle".
        count += command.startswith(b"postgres: ") and b"127.0.0.1(" in command
    return count


def rss_bytes(pids: list[int]) -> int:
    """The resident set sizes of ``pids`` added up (shared pages count once per process)."""
    total = 0
    for pid in pids:
        try:
            resident = Path(f"/proc/{pid}/statm").read_text().split()[1]
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(resident) * PAGE_SIZE
    return total


def busy_seconds() -> float:
    """CPU time the whole machine has spent not idle, all cores together, since boot."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    # Guest time is already counted in user time.
    return (sum(fields[:8]) - idle - iowait) / CLOCK_TICKS


def own_cpu_seconds() -> float:
    """CPU time of this process (the harness itself), all threads."""
    times = os.times()
    return times.user + times.system


class PeakRSS:
    """Samples the total RSS of a process tree in a thread, keeping the highest value.

    The tree is walked once, at the start: the services start their workers before they are
    ready, and fork nothing while they serve. Sampling a handful of /proc files 20 times a
    second costs the harness well under 1% of a core.
    """

    INTERVAL = 0.05

    def __init__(self, root: int) -> None:
        self._pids = tree(root)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak = rss_bytes(self._pids)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop sampling (at once, not at the end of the with block); idempotent."""
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, rss_bytes(self._pids))

    def _sample(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self.peak = max(self.peak, rss_bytes(self._pids))


@dataclass(frozen=True)
class Snapshot:
    """The CPU counters the harness reads just before and just after a run."""

    service: float
    postgres: float
    machine: float
    harness: float

    @classmethod
    def take(cls, service_pid: int | None, postgres_pid: int) -> "Snapshot":
        """Read every counter now; ``service_pid`` is None when no service runs (pgbench)."""
        return cls(
            service=cpu_seconds(service_pid) if service_pid else 0.0,
            postgres=cpu_seconds(postgres_pid),
            machine=busy_seconds(),
            harness=own_cpu_seconds(),
        )
