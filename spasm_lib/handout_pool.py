"""The worker pool that builds a class set's handouts (:func:`run_jobs`; what the set holds and where:
:mod:`spasm_lib.handouts`).

Speed (``benchmarks/handouts.py``): a :class:`concurrent.futures.ProcessPoolExecutor` with one
worker per core (``--jobs`` asks for fewer; never more than the cores or the handouts), forked on
Linux so that each inherits nbconvert, nbclient and papermill imported and the notebooks read. Every
handout runs in a kernel of its own (:class:`spasm_lib.kernels.HandoutKernel`), used once: a
notebook that changes a module (a monkeypatch, a counter) must not reach another student's handout,
and ``%reset -f`` would keep imported modules (``--jobs 1`` and ``--jobs 2`` give the same bytes).
Each worker's kernel template (:mod:`spasm_lib.kernel_template`) forks the next kernel while the
current handout runs. Pages in transit and the kernels' connection files live in one private folder
per build (:data:`BUILD_FOLDER_PREFIX`), removed on every exit; a run that a cell ends early
(``SystemExit``, a dead kernel) is a failure, not a handout.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spasm_lib.paper import DEFAULT_PAPER_ANSWERS
from spasm_lib.stops import die_with_parent


@dataclass(frozen=True)
class Job:
    """One handout to build: which notebook, with which parameters, into which file.

    ``output`` is the file's path in the set (``students/…`` or ``instructor/…``). ``row`` is what
    the index shows for it (a notebook title, a case title, a student); ``group`` the index section.
    Text in ``row`` is data and is escaped where it is shown.
    """

    notebook: str
    source: Path
    parameters: Mapping[str, Any]
    output: str
    group: str
    row: str
    title: str

    @property
    def audience(self) -> str:
        return str(self.parameters["audience"])


@dataclass
class BuildReport:
    """What a build produced: the jobs that succeeded, those that failed (with why), the extras."""

    built: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    students: list[Any] = field(default_factory=list)
    """The students' cases (:class:`spasm_lib.handouts.StudentCase`), set by :func:`spasm_lib.handouts.build`."""
    seconds: float = 0.0
    workers: int = 0
    kernels: set[int] = field(default_factory=set)
    """Process ids of the kernels that ran the handouts (one per handout)."""
    removed: list[str] = field(default_factory=list)
    """Files of an earlier build that this one removed (stale handouts)."""
    lost_workers: int = 0
    """Times a worker process died and its pool was replaced: a build with any removes nothing."""

    @property
    def ok(self) -> bool:
        return not self.failed


class BuildInterrupted(Exception):
    """A stop signal ended the build: how many handouts were written, of how many."""

    def __init__(self, signum: int, written: int, total: int | None) -> None:
        super().__init__(f"interrupted: {written} of {total} handouts written")
        self.signum, self.written, self.total = signum, written, total

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class BuildWriteError(OSError):
    """A file of the set could not be written (a full disk): the build stopped."""

    def __init__(self, message: str, written: int, total: int) -> None:
        super().__init__(message)
        self.message, self.written, self.total = message, written, total


_IN_WORKER: dict[str, Any] = {}
"""A worker process's state: the source notebooks, the build's folders, the limits, its kernels."""

STARTED = ".started"
"""A worker marks each handout it begins (``N.started`` in the build's pages folder): after a worker
died, the handouts it had begun are the suspects, the others are innocent and simply retried."""
MAX_ATTEMPTS = 2
"""A handout whose worker died while building it is tried again once, in a new pool, then failed."""
MAX_POOL_STARTS = 4
"""Pools started for one build (the first and up to three after a worker died): then the rest fail."""


def _worker_start(notebooks: Mapping[str, Any], pages: str, runtime: str, limits: Any) -> None:
    """In each worker: stop signals go to the command, not here (SIGTERM from the command kills the
    kernels first); the worker dies with the command; the kernels are shut down at a normal exit."""
    import multiprocessing.util
    import signal

    _IN_WORKER.update(notebooks=notebooks, kernel=None, spare=None, pages=pages, runtime=runtime, limits=limits)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    die_with_parent(signal.SIGTERM)  # the command died without stopping it (SIGKILL)
    multiprocessing.util.Finalize(None, _worker_exit, exitpriority=10)


def _kernels() -> list[Any]:
    """The worker's kernels: the one running a handout and the spare booting for the next."""
    return [kernel for name in ("kernel", "spare") if (kernel := _IN_WORKER.pop(name, None)) is not None]


def _worker_stop(signum: int, frame: Any) -> None:  # noqa: ARG001
    """SIGTERM: kill both kernels (the one running, the spare), then exit. A second SIGTERM while
    this runs is ignored (its first line), so the kernels are never left half-stopped."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for kernel in _kernels():
        kernel.kill()
    if "spasm_lib.kernels" in sys.modules:
        sys.modules["spasm_lib.kernels"].kill_template()
    os._exit(128 + signum)


def _worker_exit() -> None:
    for kernel in _kernels():
        kernel.close()


def _fresh_kernel(folder: Path, more: bool) -> Any:
    """The kernel for the next handout: the spare launched while the previous handout ran (if it is
    for this folder), else a new one; then, if more handouts are to come, the next spare is launched
    at once so that it boots while this handout runs. Each kernel runs exactly one handout."""
    from spasm_lib.kernels import HandoutKernel

    folder = folder.resolve()
    def launch() -> Any:
        return HandoutKernel(folder, runtime_dir=_IN_WORKER["runtime"], limits=_IN_WORKER["limits"]).launch()

    kernel, _IN_WORKER["spare"] = _IN_WORKER.get("spare"), None
    if kernel is not None and (kernel.folder != folder or kernel.km is None):
        kernel.close()
        kernel = None
    _IN_WORKER["kernel"] = kernel = kernel or launch()
    if more:
        _IN_WORKER["spare"] = launch()
    return kernel


def _build_one(index: int, job: Job, more: bool = False,
               paper_answers: str = DEFAULT_PAPER_ANSWERS) -> tuple[str | None, str | None, int | None]:
    """In a worker: (the page's scratch file, None, the kernel's process id) or (None, why it
    failed, the id).

    The page travels as a file, not through the pool's result pipe: a result message of a few
    hundred bytes is written to the pipe in one atomic write, so a worker stopped at any moment
    never leaves half a message there (which would block the pool's reader thread for good).
    """
    from spasm_lib.handout_limits import RenderError
    from spasm_lib.handout_limits import one_line as _one_line
    from spasm_lib.render import render_page

    pages = _IN_WORKER["pages"]
    marker = Path(pages, f"{index}{STARTED}")
    marker.touch()
    kernel = None
    try:
        kernel = _fresh_kernel(job.source.parent, more)
        page, _ = render_page(job.source, job.parameters, nb=_IN_WORKER["notebooks"][str(job.source)],
                              kernel=kernel, title=job.title, paper_answers=paper_answers)
        scratch = os.path.join(pages, f"{index}.html")
        with open(scratch, "w", encoding="utf-8") as fh:
            fh.write(page)
        return scratch, None, kernel.pid
    except Exception as exc:  # one bad handout must not stop the set
        why = str(exc) if isinstance(exc, RenderError) else f"{type(exc).__name__}: {exc}"
        return None, _one_line(why), kernel.pid if kernel is not None else None
    finally:
        _IN_WORKER["kernel"] = None
        if kernel is not None:
            kernel.close()
        marker.unlink(missing_ok=True)


BUILD_FOLDER_PREFIX = "spasm-teach-build-"
"""The per-build folder under the system's temporary folder: ``pages/`` (finished pages on their way
from a worker to the set) and ``kernels/`` (every kernel's connection file, which holds its key).
The command removes it on every exit path; one left by a command that was killed outright (SIGKILL)
is removed by the next build (its name carries the process id, which is then no longer running)."""


def _build_folder() -> Path:
    import tempfile

    remove_stale_build_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{BUILD_FOLDER_PREFIX}{os.getpid()}-"))
    (folder / "pages").mkdir()
    (folder / "kernels").mkdir(mode=0o700)
    return folder


def remove_stale_build_folders() -> list[Path]:
    """Remove the build folders of earlier builds whose process is gone (ours only: same owner); also
    called by ``spasm-teach render``, whose one kernel keeps its connection file in such a folder."""
    import shutil
    import tempfile

    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{BUILD_FOLDER_PREFIX}*-*"):  # an unreadable one: none
        try:
            pid = int(folder.name[len(BUILD_FOLDER_PREFIX):].split("-", 1)[0])
            info = os.lstat(folder)
        except (ValueError, OSError):
            continue
        if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode):  # lstat: a link is no folder here
            continue
        try:
            os.kill(pid, 0)  # no error: still running, another build's
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except PermissionError:  # running, as another user
            pass
    return removed


def default_jobs() -> int:
    """The cores this process may use (``os.cpu_count()`` unless the affinity mask says fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(requested: int | None, work: int) -> int:
    """Workers for ``work`` handouts: what was asked (default: the cores), but never more than the
    cores or the handouts. A worker beyond the cores only adds a kernel that competes for them."""
    return max(1, min(requested or default_jobs(), default_jobs(), work))


def _pool_context() -> Any:
    """``fork`` on Linux (workers inherit the imported nbconvert, nbclient and papermill), else spawn."""
    import multiprocessing

    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def run_jobs(
    jobs: Sequence[Job],
    folder: Any,
    *,
    workers: int | None = None,
    progress: Callable[[Job, str | None, int, int], None] | None = None,
    notebooks: Mapping[str, Any] | None = None,
    stops: Any = None,
    limits: Any = None,
    paper_answers: str = DEFAULT_PAPER_ANSWERS,
) -> BuildReport:
    """Build ``jobs`` with a pool of workers and write each page into ``folder`` (a
    :class:`~spasm_lib.set_folder.SetFolder`) as it arrives.

    ``notebooks`` maps a source path to the notebook already read (each is read once, and the
    workers inherit them). ``stops``
    (:class:`~spasm_lib.stops.StopSignals`) is polled: on a stop signal every worker and kernel is
    stopped and :class:`BuildInterrupted` is raised. ``limits`` (:class:`spasm_lib.handout_limits.Limits`)
    bound each handout's time and output.

    A worker that dies (a cell that kills it, the system's out-of-memory killer) breaks the pool;
    nothing is failed for it at once: the handouts not yet returned are built again in a new pool,
    except that one that was being built when a worker died twice is failed (the likely culprit);
    at most :data:`MAX_POOL_STARTS` pools. :attr:`BuildReport.lost_workers` counts the breaks, and a
    build with any is incomplete (it removes no earlier file).
    ``paper_answers`` "separate" leaves the print-only self-check answers out of every page
    (:mod:`spasm_lib.paper`).
    """
    import shutil
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    import jupyter_client.manager  # noqa: F401 - imported once here, inherited by forked workers
    import nbclient  # noqa: F401
    import nbconvert  # noqa: F401
    import papermill.parameterize  # noqa: F401

    from spasm_lib.handout_export import exporter as _exporter
    from spasm_lib.handout_limits import DEFAULT_LIMITS
    from spasm_lib.packaged import read_notebook

    started = time.perf_counter()
    _exporter()  # the template is loaded once, here
    reads = dict(notebooks or {})
    for job in jobs:
        if str(job.source) not in reads:
            reads[str(job.source)] = read_notebook(job.source)
    report = BuildReport(workers=worker_count(workers, len(jobs)))
    if not jobs:
        return report
    outcome: dict[int, str | None] = {}
    attempts: dict[int, int] = {}

    def settle(index: int, error: str | None) -> None:
        outcome[index] = error
        if progress is not None:
            progress(jobs[index], error, len(outcome), len(jobs))

    work = _build_folder()  # pages on their way to the set, and the kernels' connection files
    pages, runtime = str(work / "pages"), str(work / "kernels")
    todo = list(range(len(jobs)))
    try:
        for _ in range(MAX_POOL_STARTS):
            pool = ProcessPoolExecutor(max_workers=min(report.workers, len(todo)), mp_context=_pool_context(),
                                       initializer=_worker_start,
                                       initargs=(reads, pages, runtime, limits or DEFAULT_LIMITS))
            broken = False
            try:
                futures = {pool.submit(_build_one, index, jobs[index], n < len(todo) - report.workers, paper_answers): index
                           for n, index in enumerate(todo)}
                pending = set(futures)
                while pending:
                    if stops is not None and stops.signum is not None:
                        raise BuildInterrupted(stops.signum, len(folder.written), len(jobs))
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=futures.__getitem__):
                        index = futures[future]
                        try:
                            page, error, kernel = future.result()
                        except BrokenProcessPool:  # a worker process died: decided below, not failed here
                            broken = True
                            continue
                        if kernel is not None:
                            report.kernels.add(kernel)
                        if page is not None:
                            with write_errors(folder.path / jobs[index].output, len(folder.written), len(jobs)):
                                text = Path(page).read_text(encoding="utf-8")
                                os.unlink(page)
                                folder.write(jobs[index].output, text)
                        settle(index, error)
            except BaseException:
                _stop_pool(pool)
                raise
            if broken:
                _stop_pool(pool)
            else:
                pool.shutdown(wait=True)  # each worker shuts its kernels down as it exits
            todo = [index for index in todo if index not in outcome]
            for index in todo:  # the handouts a dead worker had begun: suspects, tried once more
                marker = Path(pages, f"{index}{STARTED}")
                if marker.exists():
                    marker.unlink()
                    attempts[index] = attempts.get(index, 0) + 1
                    if attempts[index] >= MAX_ATTEMPTS:
                        settle(index, "not built: its worker process stopped while building it, twice")
            todo = [index for index in todo if index not in outcome]
            if not todo:
                break
            report.lost_workers += 1  # only a dead worker leaves handouts undecided
        for index in todo:  # worker processes kept stopping: give up on the rest
            settle(index, "not built: worker processes kept stopping")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.built = [job for index, job in enumerate(jobs) if outcome[index] is None]
    report.failed = [(jobs[index], message) for index, message in sorted(outcome.items()) if message is not None]
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def write_errors(path: Path, written: int, total: int) -> Iterator[None]:
    """A file of the set that cannot be written (``path``) stops the build with one line:
    :class:`BuildWriteError`, saying how many handouts were written of how many."""
    from spasm_lib.outputs import write_error

    try:
        yield
    except OSError as exc:
        raise BuildWriteError(write_error(path, exc), written, total) from None


def _stop_pool(pool: Any) -> None:
    """Stop every worker now: SIGTERM (each kills its kernel and exits), then SIGKILL after 10 s."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():  # pragma: no cover - a worker stuck in C code
            process.kill()
            process.join()
    pool.shutdown(wait=True, cancel_futures=True)
