"""Running the service under uvicorn, with one or several worker processes."""

from __future__ import annotations

import copy
import fcntl
import os
import socket
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.factory import app_from_settings

__all__ = [
    "NoDelayConfig",
    "serve",
    "log_config",
    "pin_to_one_cpu",
    "cpu_slot_dir",
]


def log_config() -> dict[str, Any]:
    """Uvicorn's logging: warnings and errors on stderr. The access log is not uvicorn's: see
    :mod:`eauth_toolkit.web.accesslog`."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["uvicorn"]["level"] = "WARNING"
    config["loggers"]["uvicorn.error"]["level"] = "WARNING"
    config["loggers"]["uvicorn.access"]["level"] = "WARNING"
    return config


class NoDelayConfig(uvicorn.Config):
    """Workers share one listening socket; TCP_NODELAY is set on it so that accepted connections
    inherit it (otherwise small responses wait on the client's delayed ACKs)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


#: the lock file that holds this process's CPU slot (kept open while the process lives)
_slot_file: Any = None


def cpu_slot_dir() -> Path | None:
    """Where the worker processes of every service of this user on this machine take their CPU
    slots (so that two services do not both start on the first CPU): ``$XDG_RUNTIME_DIR``, else a
    folder of the user's own in the temporary folder; None when that folder is not the user's."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    path = Path(base) / "eauth-cpu-slots" if base else None
    if path is None:
        import tempfile

        path = Path(tempfile.gettempdir()) / f"eauth-cpu-slots-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.lstat()
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return None
    return path


def pin_to_one_cpu(run_dir: Path) -> int | None:
    """Keep this worker process, with all its threads, on one CPU; returns that CPU (None when
    there is only one to use, or the system cannot pin).

    A request crosses threads several times (event loop, worker thread, back to the loop): on
    one CPU each crossing is a cheap switch, while across CPUs every wake-up of a sleeping
    thread goes through the other CPU (an inter-processor interrupt, costly in a virtual
    machine: 75 us per hand-off instead of 17 us measured here). Worker processes take
    slots 0, 1, 2, ... (the lowest free one, held by a lock on ``run_dir/cpu-slot-N.lock``
    until the process ends, so that a restarted worker takes the slot it left) and slot N runs
    on the N-th usable CPU, wrapping around when there are more workers than CPUs (the slots of
    all services of the machine's user are in one folder, :func:`cpu_slot_dir`)."""
    global _slot_file
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for slot in range(1024):
        try:
            fh = open(run_dir / f"cpu-slot-{slot}.lock", "w")  # noqa: SIM115 - held while we live
        except OSError:
            return None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another worker holds this slot
            fh.close()
            continue
        except OSError:  # no locks on this file system: the system places the process
            fh.close()
            return None
        break
    else:
        return None
    _slot_file = fh
    cpu = cpus[slot % len(cpus)]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:  # a container that forbids it: the system places the process
        return None
    return cpu


def worker_app(settings_json: str, pin_cpu: bool, access_log: bool = True) -> Any:
    """The app of one worker process (see :func:`serve`), pinned to a CPU when ``pin_cpu``, with
    the access log (:class:`~eauth_toolkit.web.accesslog.AccessLog`) when ``access_log``."""
    slots = cpu_slot_dir() if pin_cpu else None
    if slots is not None:
        pin_to_one_cpu(slots)
    app = app_from_settings(settings_json)
    if not access_log:
        return app
    from eauth_toolkit.web.accesslog import AccessLog

    return AccessLog(app)


def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    *,
    access_log: bool = True,
    pin_cpu: bool = True,
) -> None:
    """Serve the app built from ``settings``, with an access log on stdout unless ``access_log``
    is false, each worker process on a CPU of its own unless ``pin_cpu`` is false (see
    :func:`pin_to_one_cpu`). The settings travel to each worker process inside the (pickled)
    uvicorn configuration, as an app factory bound to their JSON form."""
    from eauth_toolkit.web.onewrite import http_protocol

    config = NoDelayConfig(
        partial(worker_app, settings.to_json(), pin_cpu, access_log),
        factory=True,
        http=http_protocol() or "auto",
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(),
        access_log=False,  # written by worker_app's AccessLog
    )
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
