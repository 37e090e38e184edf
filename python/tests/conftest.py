"""What the tests share: the repository, the launcher's jar, and the real broker and job.

The broker and the job are the launcher's ``kafka`` and ``run`` subcommands, started from the jar
that ``./creditstream`` runs (``tools/target/creditstream-tools-*-all.jar``) with the launcher's
JVM options, not through the script: under ``mvn verify`` on a fresh clone the script would see no
build stamp and rebuild (``mvn clean``) the reactor that is running the tests.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

# The launcher's JVM openings for Flink (the `opens` array in ./creditstream).
JVM_OPENS = [
    f"--add-opens=java.base/{package}=ALL-UNNAMED"
    for package in (
        "java.lang",
        "java.util",
        "java.util.concurrent",
        "java.lang.reflect",
        "java.io",
        "java.nio",
        "sun.nio.ch",
        "java.net",
        "java.time",
    )
]

#: Hang guards: generous, since a busy 2-core machine may be slow; a healthy run never waits them.
START_TIMEOUT = 180.0
RESULT_TIMEOUT = 180.0


def _interrupt(_signum, _frame):
    # SIGTERM (a hang guard's, or Ctrl-C's cousin) ends the run through pytest's teardown, which
    # stops the broker and the job; the default action would leave them running.
    raise KeyboardInterrupt("SIGTERM")


signal.signal(signal.SIGTERM, _interrupt)

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child before exec: should pytest itself be killed (SIGKILL, no teardown), the
    # kernel sends the broker and the job SIGTERM.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def all_jar() -> Path:
    jars = sorted((ROOT / "tools" / "target").glob("creditstream-tools-*-all.jar"))
    if not jars:
        pytest.fail(
            "no tools/target/creditstream-tools-*-all.jar: build it first (./creditstream --help, "
            "or mvn -B verify, which runs these tests after packaging it)"
        )
    return jars[0]


def policy_classpath() -> str:
    """The policy module's jar and its dependencies (DJL, libtorch, Kafka), as the launcher gives
    the learner and the fleet."""
    target = ROOT / "policy" / "target"
    jars = [j for j in sorted(target.glob("creditstream-policy-*.jar")) if "-tests" not in j.name]
    lib = target / "lib"
    if not jars or not lib.is_dir():
        pytest.fail(
            "no policy/target/creditstream-policy-*.jar and lib/: build them first (./creditstream "
            "--help, or mvn -B verify, which packages the policy module before these tests)"
        )
    return f"{jars[0]}:{lib}/*"


def java_command(*args: str) -> list:
    return ["java", *JVM_OPENS, "-jar", str(all_jar()), *args]


class Process:
    """A launcher subcommand in its own process group, output to a file; stopped on close."""

    def __init__(self, name: str, args, log: Path):
        self.name = name
        self.log = log
        self._out = open(log, "wb")
        self.popen = subprocess.Popen(
            java_command(*args),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.output())
            if match:
                return match
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited ({self.popen.returncode}) before printing {pattern!r}:\n"
                    + self.output()[-4000:]
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name} printed no {pattern!r} within {timeout} s:\n" + self.output()[-4000:]
                )
            time.sleep(0.2)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def close(self) -> None:
        if self.popen.poll() is None:
            # SIGTERM runs the shutdown hooks (the broker deletes its temporary data directory).
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(30)
        self._out.close()


class Stack:
    """The broker and the job of one test session."""

    def __init__(self, broker: Process, job: Process, bootstrap: str, logs: Path):
        self.broker = broker
        self.job = job
        self.bootstrap = bootstrap
        self.logs = logs

    def check_job(self) -> None:
        assert self.job.alive(), "the job exited:\n" + self.job.output()[-4000:]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """``creditstream kafka --port 0`` and ``creditstream run`` against it, for the session."""
    logs = tmp_path_factory.mktemp("stack")
    broker = Process("kafka", ["kafka", "--port", "0", "--dir", str(logs / "kafka-data")], logs / "kafka.log")
    job = None
    try:
        ready = broker.wait_for_line(r"-Dkafka\.bootstrap-servers=(\S+)")
        bootstrap = ready.group(1)
        job = Process(
            "run",
            [
                "run",
                "--checkpoint-dir",
                str(logs / "checkpoints"),
                f"-Dkafka.bootstrap-servers={bootstrap}",
                # One development broker: one replica (the job's default is 3).
                "-Dkafka.topic-replication-factor=1",
                "-Dexecution.checkpointing.interval=500 ms",
                "-Dbatch.linger=100 ms",
                "-Dbatch.max-records=64",
                "-Dparallelism.default=1",
                # Small enough that a test can make the job split a group across batches.
                "-Dbatch.max-bytes=200000",
                "-Dinput.max-record-bytes=100000",
            ],
            logs / "run.log",
        )
        job.wait_for_line(r"creditstream: reading ")
        yield Stack(broker, job, bootstrap, logs)
    finally:
        if job is not None:
            job.close()
        broker.close()
