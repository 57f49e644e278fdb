"""Learners walking the notebooks on a real hub, without a browser, and the memory their processes hold.

`walk()` is one learner: log in on the hub (which starts their server), then for each notebook
open it (a session: its kernel starts), send its code cells one by one through the kernel's
websocket, paced like a person, and at its end either shut its kernel down (what each notebook
tells the learner to do) or leave the tab open. Two cells of the bench's own, untimed, around
each notebook catch a sandbox that answers another learner: one counts the port of every
HTTP request the kernel makes, the other asks the sandbox behind the notebook's `World` whose
it is (`cross_answers`). Every request goes through the learner's own single-user server, as
JupyterLab's would, so the server's memory and CPU are part of what is measured.

`Memory` samples, in a thread, the processes of every learner (their server and all under it,
plus their sandbox by the pid it announces, which outlives the kernel that started it) and of
the hub itself. A process that is neither a server, a kernel nor a sandbox lives briefly (05's
later session, `python later_session.py`, about 0.2 s; JupyterLab's build check, node, at a
server's start): it counts with the most it has held (its peak RSS, VmHWM). Samples, which list every
process, come only every 0.1 s and each takes tens of milliseconds, so a process of 0.2 s may be seen
part-way through its imports, or born and gone between two of them. A second thread therefore reads,
every 10 ms, the children of each learner's kernels and server (`/proc/<pid>/task/<pid>/children`: a
cell runs in its kernel's main thread) and follows each new one's VmHWM until it ends. Every sample
that saw a brief process counts it at that last reading (an upper bound, as RSS is); one no sample saw
counts in the last sample taken before it started, whose other processes it ran beside. `Memory.brief`
lists each such process, what it held, and how it was counted.

Used by tests/hub/test_board.py, bench/room.py (a room of learners) and bench/learner_memory.py
(one learner, 00 to 08).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

from sandbox.files import ANNOUNCE_FILE
from tests.kernel_client import Server

from .hub import NOTEBOOKS_IN_HOME, PASSWORD, Hub

MIB = 1024 * 1024

# What a bench sends before a notebook's first cell and after its last; neither is timed.
# Before: count the port of every HTTP request the kernel makes from then on (httpx carries all
# of the kit's: the app's traced client, the sandbox's own calls, the Stripe SDK's).
COUNT_REQUESTS = """
import collections as _collections, httpx as _httpx
_bench_ports = _collections.Counter()
_bench_send = _httpx.HTTPTransport.handle_request
def _bench_counting(self, request, _send=_bench_send):
    _bench_ports[request.url.port] += 1
    return _send(self, request)
_httpx.HTTPTransport.handle_request = _bench_counting
"""
# After: whose sandbox the notebook's own World (its first cell's `kit = setup()`) reaches,
# and the ports the kernel's requests went to.
PROBE = """
import json as _json
import sandbox as _sandbox
_world = globals()["kit"].world if "kit" in globals() else _sandbox.start()
_health = _world.http.get(f"{_world.base_url}/healthz", timeout=60).json()
print(_json.dumps({"data_dir": _health["data_dir"], "port": _world.port, "requests": dict(_bench_ports)}))
"""


def code_cells(path: Path, solve: bool = False) -> list[str]:
    """The notebook's code cells; with `solve`, each exercise's cell (`# %load solutions/…`) holds its solution,
    as a learner's cell does once they have loaded it."""
    cells = [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    if solve:
        cells = [_solved(source, path.parent) for source in cells]
    return cells


def _solved(source: str, folder: Path) -> str:
    first = source.split("\n", 1)[0]
    if not first.startswith("# %load solutions/"):
        return source
    return (folder / first.removeprefix("# %load ")).read_text()


@dataclass(frozen=True)
class Pace:
    """How a learner moves: `seconds` between cells (give or take `jitter`), and what they do at a notebook's end."""

    seconds: float = 3.0
    jitter: float = 1.0
    shut_down_at_end: bool = True
    # Seconds spent on each notebook in all, spread over its cells (overrides `seconds`), by file name.
    per_notebook: dict[str, float] = field(default_factory=dict)

    def gap(self, notebook: str, cells: int, rng: random.Random) -> float:
        base = self.per_notebook[notebook] / max(cells, 1) if notebook in self.per_notebook else self.seconds
        return max(0.0, base + rng.uniform(-self.jitter, self.jitter))


@dataclass
class Walked:
    """What one learner's walk gave: each cell's time, the errors, and the sandboxes their notebooks reached."""

    name: str
    cell_seconds: list[tuple[str, int, float]] = field(default_factory=list)  # notebook, cell index, seconds
    errors: list[str] = field(default_factory=list)
    probes: list[dict] = field(default_factory=list)
    login_seconds: float = 0.0
    started: float = 0.0
    finished: float = 0.0


async def walk(
    hub: Hub,
    name: str,
    notebooks: Sequence[Path],
    pace: Pace,
    seed: int = 0,
    on_notebook: Callable[[str, str], None] | None = None,
    solve: bool = False,
) -> Walked:
    """One learner's session: log in, then every notebook in order, cell by cell. Never raises: errors are kept.

    With `solve`, the learner does every exercise (its solution loaded), else leaves them as they are.
    """
    rng = random.Random(seed)
    walked = Walked(name, started=time.monotonic())
    server = None
    open_tabs = []
    try:
        server = await Server.log_in_through_hub(hub.url, name, PASSWORD)
        walked.login_seconds = time.monotonic() - walked.started
        for path in notebooks:
            if on_notebook:
                on_notebook(name, path.name)
            cells = code_cells(path, solve)
            kernel = await server.open_notebook(f"{NOTEBOOKS_IN_HOME}/{path.name}")
            try:
                await kernel.execute(COUNT_REQUESTS)
                for index, source in enumerate(cells):
                    await asyncio.sleep(pace.gap(path.name, len(cells), rng))
                    result = await kernel.execute(source)
                    walked.cell_seconds.append((path.name, index, result.seconds))
                    if result.error:
                        walked.errors.append(f"{name} {path.name} cell {index}: {result.error}")
                probe = await kernel.execute(PROBE)
                if probe.error:
                    walked.errors.append(f"{name} {path.name} probe: {probe.error}")
                else:
                    text = "".join(o.get("text", "") for o in probe.outputs if o["output_type"] == "stream")
                    walked.probes.append({"notebook": path.name, **json.loads(text.strip().splitlines()[-1])})
            finally:
                if pace.shut_down_at_end:
                    await kernel.shut_down()
                else:
                    open_tabs.append(kernel)  # the tab stays open, connected to its kernel
    except Exception as error:  # a bench reports it with the others
        walked.errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        walked.finished = time.monotonic()
        for kernel in open_tabs:
            kernel.close()
        if server is not None:
            await server.aclose()
    return walked


def cross_answers(walks: Sequence[Walked], hub: Hub) -> tuple[list[str], int]:
    """Requests that went to a sandbox not the learner's own, and how many requests were checked.

    The notebook's World must reach the learner's own sandbox (their data folder), and every
    request of the kernel must have gone to that sandbox's port: a sandbox holds its port from
    its start to its end, asleep or not (sandbox/idle.py), so no other can answer on it.
    """
    found, checked = [], 0
    for walked in walks:
        own = hub.sandbox_dir(walked.name).resolve()
        for probe in walked.probes:
            where = f"{walked.name} {probe['notebook']}"
            if Path(probe["data_dir"]) != own:
                found.append(f"{where}: its World reached the sandbox of {probe['data_dir']}")
            for port, count in probe["requests"].items():
                checked += count
                if port == "null" or int(port) != probe["port"]:  # null: a URL with no port (not the sandbox)
                    found.append(f"{where}: {count} request(s) to port {port}, not its sandbox's {probe['port']}")
    return found, checked


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


# ----------------------------------------------------------------------------- memory


@dataclass
class Sample:
    at: float
    rss: dict[str, int]  # learner -> bytes, their server tree and their sandbox
    pss: dict[str, int]  # empty in the samples taken without PSS
    kernels: dict[str, int]  # learner -> how many kernels
    parts: dict[str, dict[str, int]]  # learner -> RSS of their "server", "kernels", "sandbox", "other"
    hub_rss: int
    others: dict[str, dict[int, int]] = field(default_factory=dict)  # learner -> pid -> what "other" counted


@dataclass
class Brief:
    """A process under a learner's server that is neither their server, a kernel nor their sandbox."""

    learner: str
    command: str
    first_seen: float
    peak: int = 0  # the most it held (VmHWM, bytes), as last read while it lived
    started_by: str = ""  # "kernel" (a cell started it), "server", or "" (found by a sample, not the follower)
    sampled: int = 0  # how many samples saw it; 0: counted in the sample before it started
    ended: bool = False


class Memory:
    """Samples, every `interval` seconds in a thread, each learner's processes; PSS every `pss_every`-th sample.

    `apart`: the threads run in a forked process of their own, and the samples come back when it stops. Reading
    /proc for a room's hundred processes holds this process's GIL for tens of milliseconds at a time, and the
    room's clients, which time each cell, wait for it; a workshop has no such wait.
    """

    def __init__(
        self,
        hub: Hub,
        learners: Sequence[str],
        interval: float = 1.0,
        pss_every: int = 3,
        follow_every: float = 0.01,
        find_children: bool = True,
        apart: bool = False,
    ) -> None:
        self.hub, self.learners = hub, list(learners)
        self.interval, self.pss_every, self.follow_every = interval, pss_every, follow_every
        # Reading every kernel's children every 10 ms costs this process about 1.6 ms of CPU per 60 kernels and
        # servers: a sixth of a core in a room of 30, taken from the clients that time the room's cells. The
        # room leaves it out (bench/room.py); a brief process there counts when a sample sees it.
        self.find_children = find_children
        self.samples: list[Sample] = []
        self._servers: dict[str, int] = {}
        self.brief: dict[int, Brief] = {}  # every brief ("other") process seen, by pid
        self._parents: dict[int, tuple[str, str]] = {}  # whose children the follower reads: pid -> learner, kind
        self._settled: set[int] = set()  # the servers, kernels and sandboxes samples have seen: not brief
        self._forked_from: dict[int, str] = {}  # a brief process -> its parent's command, as it was found
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory", daemon=True)
        self._follower = threading.Thread(target=self._follow, name="memory-follow", daemon=True)
        self.apart = apart

    def __enter__(self) -> Memory:
        if self.apart:
            # Forked before the clients start (no other thread runs yet), so it inherits the hub as it is.
            forking = multiprocessing.get_context("fork")
            self._results, results = forking.Pipe(duplex=False)
            self._stop_apart = forking.Event()
            self._apart = forking.Process(target=self._sample_apart, args=(results,), name="memory", daemon=True)
            self._apart.start()
            return self
        self._thread.start()
        self._follower.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.apart:
            self._stop_apart.set()
            self.samples, self.brief = self._results.recv()
            self._apart.join()
            return
        self._stop_threads()

    def _stop_threads(self) -> None:
        self._stop.set()
        self._thread.join()
        self._follower.join()
        self._settle()

    def _sample_apart(self, results) -> None:
        """In the forked process: the same two threads until the parent says stop, then the samples back."""
        self._thread.start()
        self._follower.start()
        self._stop_apart.wait()
        self._stop_threads()
        results.send((self.samples, self.brief))

    def _follow(self) -> None:
        # Every `follow_every` seconds: new children of the kernels and servers, then each brief process's
        # VmHWM until it ends. A few small files each time, so it keeps up where a sample of every process
        # would not.
        while not self._stop.wait(self.follow_every):
            now = time.monotonic()
            with self._lock:
                parents = dict(self._parents) if self.find_children else {}
            for parent, (name, kind) in parents.items():
                for pid in _children(parent):
                    with self._lock:
                        if pid not in self.brief and pid not in self._settled and pid not in parents:
                            self.brief[pid] = Brief(name, "", now, started_by=kind)
                            self._forked_from[pid] = _command(parent)
            with self._lock:
                following = [(pid, b) for pid, b in self.brief.items() if not b.ended and pid not in self._settled]
            for pid, brief in following:
                command = _command(pid)
                if command and command == self._forked_from.get(pid):
                    # Forked, not yet exec'd: its pages are its parent's (copy-on-write), and its VmHWM, which
                    # starts at them, says nothing of the process it becomes (exec starts a new count).
                    continue
                held = peak_rss(pid)
                if held == 0:  # it has ended: its last reading stands
                    brief.ended = True
                    continue
                brief.peak = max(brief.peak, held)
                brief.command = command or brief.command

    def _settle(self) -> None:
        """Count each brief process with the most it ever held (RSS only): in every sample that saw it, else in
        the last sample taken before it started."""
        for pid in self._settled:
            self.brief.pop(pid, None)
        for sample in self.samples:
            for name, counted in sample.others.items():
                for pid, held in counted.items():
                    brief = self.brief.get(pid)
                    if brief is None:
                        continue
                    brief.sampled += 1
                    self._add(sample, name, pid, max(0, brief.peak - held))
        for pid, brief in self.brief.items():
            before = [s for s in self.samples if s.at <= brief.first_seen]
            if brief.sampled == 0 and before:
                self._add(before[-1], brief.learner, pid, brief.peak)

    @staticmethod
    def _add(sample: Sample, name: str, pid: int, extra: int) -> None:
        sample.rss[name] += extra
        sample.parts[name]["other"] += extra
        sample.others[name][pid] = sample.others[name].get(pid, 0) + extra

    def _server_pid(self, name: str) -> int | None:
        if name not in self._servers:
            try:
                self._servers[name] = self.hub.server_process(name).pid
            except LookupError:
                return None
        return self._servers[name]

    def _sandbox(self, name: str) -> tuple[int, int] | None:
        try:
            announced = json.loads((self.hub.sandbox_dir(name) / ANNOUNCE_FILE).read_text())
            return announced["pid"], announced["port"]
        except (OSError, ValueError, KeyError):
            return None

    def _run(self) -> None:
        count = 0
        while not self._stop.wait(self.interval if count else 0):
            self.samples.append(self._sample(with_pss=count % self.pss_every == 0))
            count += 1
        self.samples.append(self._sample(with_pss=True))

    def trees(self) -> dict[str, set[int]]:
        """Every learner's pids: their server and its descendants, and their sandbox."""
        children: dict[int, list[int]] = {}
        for process in psutil.process_iter(["ppid"]):
            children.setdefault(process.info["ppid"], []).append(process.pid)
        trees = {}
        for name in self.learners:
            pids: set[int] = set()
            root = self._server_pid(name)
            if root is not None and psutil.pid_exists(root):
                stack = [root]
                while stack:
                    pid = stack.pop()
                    pids.add(pid)
                    stack.extend(children.get(pid, ()))
            sandbox = self._sandbox(name)
            if sandbox and psutil.pid_exists(sandbox[0]):
                pids.add(sandbox[0])
            trees[name] = pids
        return trees

    def _sample(self, with_pss: bool) -> Sample:
        rss, pss, kernels, parts, others = {}, {}, {}, {}, {}
        for name, pids in self.trees().items():
            rss[name] = pss[name] = kernels[name] = 0
            parts[name] = dict.fromkeys(("server", "kernels", "sandbox", "other"), 0)
            others[name] = {}
            sandbox = self._sandbox(name)
            parents: dict[int, tuple[str, str]] = {}
            for pid in pids:
                try:
                    process = psutil.Process(pid)
                    if with_pss:
                        info = process.memory_full_info()
                        pss[name] += info.pss
                    else:
                        info = process.memory_info()
                    # A kernel is its server's child; a kernel's own child, forked and not yet exec'd, still
                    # reads as one (05's later session, for a few milliseconds).
                    words = process.cmdline()
                    is_kernel = "ipykernel" in " ".join(words) and process.ppid() == self._servers.get(name)
                except psutil.Error:
                    continue
                kernels[name] += is_kernel
                if pid == self._servers.get(name):
                    part, held = "server", info.rss
                    parents[pid] = (name, "server")
                elif sandbox and pid == sandbox[0]:
                    part, held = "sandbox", info.rss
                elif is_kernel:
                    part, held = "kernels", info.rss
                    parents[pid] = (name, "kernel")
                else:
                    part, held = "other", max(info.rss, peak_rss(pid))
                    others[name][pid] = held
                    with self._lock:
                        if pid not in self.brief:  # one the follower has not found (not a kernel's or server's child)
                            self.brief[pid] = Brief(name, _named(words), time.monotonic(), held)
                if part != "other":
                    with self._lock:
                        self._settled.add(pid)
                parts[name][part] += held
                rss[name] += held
            with self._lock:
                for pid in [p for p, (owner, _) in self._parents.items() if owner == name]:
                    del self._parents[pid]
                self._parents.update(parents)
        hub_rss = 0
        try:  # the hub and its proxy, paid once for the room
            hub = psutil.Process(self.hub.process.pid)
            for process in [hub, *hub.children()]:
                if process is hub or "configurable-http-proxy" in " ".join(process.cmdline()):
                    hub_rss += process.memory_info().rss
        except psutil.Error:
            pass
        return Sample(time.monotonic(), rss, pss if with_pss else {}, kernels, parts, hub_rss, others)


def _children(pid: int) -> list[int]:
    """The children that `pid`'s main thread started (where a kernel runs its cells)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def _command(pid: int) -> str:
    """What `pid` runs, its program by name only: `python3.11 later_session.py`."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().decode(errors="replace").split("\0")
    except OSError:
        return ""
    return _named(words)


def _named(words: Sequence[str]) -> str:
    return " ".join([Path(words[0]).name, *words[1:]]).strip() if words else ""


def peak_rss(pid: int) -> int:
    """The most RSS a process has held since it started (Linux's VmHWM, bytes); 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def mib(value: float) -> str:
    return f"{value / MIB:.0f} MiB"


def summary(samples: Sequence[Sample], key: str, names: Sequence[str]) -> dict:
    """Peak of the room's total, and each learner's own peak (bytes), over the samples that have `key`."""
    rows = [getattr(s, key) for s in samples if getattr(s, key)]
    totals = [sum(row.get(n, 0) for n in names) for row in rows]
    own = [max(row.get(n, 0) for row in rows) for n in names] if rows else []
    return {
        "room_peak": max(totals, default=0),
        "learner_peak_median": statistics.median(own) if own else 0,
        "learner_peak_max": max(own, default=0),
    }
