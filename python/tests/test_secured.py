"""The Python clients against a secured broker: SASL_SSL with SCRAM-SHA-512 and a self-signed
certificate (python/tests/java/SecuredBroker.java, the embedded broker as SecuredKafkaITCase runs
it), with the settings file in Kafka's own names translated by creditstream.security.

librdkafka before 2.6.1 cannot log in with SCRAM to Kafka 4.x: its client-final-message repeats
the client nonce (``r=<client nonce><client nonce><server nonce>`` instead of the server's
``r=<client nonce><server nonce>``), which Kafka 4 refuses as invalid credentials since it checks
the nonce strictly (RFC 5802); Kafka 3.9 let it pass. Fixed in librdkafka 2.6.1. With an older
librdkafka (Debian 12's 2.0.2) the test asserts exactly that failure, after a completed TLS
handshake; with a fixed one, the round trip. docs/SECURITY.md has the wire capture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
import warnings
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer
from conftest import JVM_OPENS, RESULT_TIMEOUT, ROOT, START_TIMEOUT, _die_with_parent, all_jar

from creditstream.security import (
    SCRAM_FIXED_LIBRDKAFKA,
    kafka_security,
    librdkafka_version,
    secured,
)

LIBRDKAFKA = librdkafka_version()
SCRAM_NONCE_BUG = LIBRDKAFKA < SCRAM_FIXED_LIBRDKAFKA
TOPIC = "py.secured"


class SecuredBroker:
    def __init__(self, directory: Path):
        self.dir = directory
        self.log = directory / "broker.log"
        self._out = open(self.log, "wb")
        self.popen = subprocess.Popen(
            [
                "java",
                *JVM_OPENS,
                "-cp",
                str(all_jar()),
                str(ROOT / "python/tests/java/SecuredBroker.java"),
                str(directory),
            ],
            stdin=subprocess.PIPE,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while "READY " not in self.output():
            assert self.popen.poll() is None, "the secured broker exited:\n" + self.output()[-4000:]
            assert time.monotonic() < deadline, "no secured broker:\n" + self.output()[-4000:]
            time.sleep(0.2)
        self.bootstrap = self.output().split("READY ", 1)[1].split()[0]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        self.popen.stdin.close()  # the program stops when its standard input ends
        try:
            self.popen.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(30)
        self._out.close()


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    started = SecuredBroker(tmp_path_factory.mktemp("secured"))
    try:
        yield started
    finally:
        started.close()


def _client_errors(client, errors, until) -> None:
    """Serves ``client``'s callbacks until ``until()`` or the hang guard."""
    deadline = time.monotonic() + RESULT_TIMEOUT
    while not until():
        assert time.monotonic() < deadline, f"no outcome within {RESULT_TIMEOUT} s; errors: {errors}"
        client.poll(0.2)


def _producer(broker, properties, errors):
    security = kafka_security(broker.dir / properties)
    return Producer(
        secured(
            {"bootstrap.servers": broker.bootstrap, "acks": "all", "error_cb": errors.append},
            security,
        )
    )


def _auth_failures(errors):
    return [e for e in errors if e.code() == KafkaError._AUTHENTICATION]


def test_the_settings_file_translates_without_exposing_the_password(broker):
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        security = kafka_security(broker.dir / "py.properties")
    # An old librdkafka is named when the settings are read, before any login fails.
    assert bool([w for w in warned if "2.6.1" in str(w.message)]) == SCRAM_NONCE_BUG
    assert security.config["security.protocol"] == "SASL_SSL"
    assert security.config["sasl.mechanisms"] == "SCRAM-SHA-512"
    assert security.config["sasl.username"] == "py"
    assert security.config["ssl.ca.location"].endswith("broker.pem")
    assert security.config["sasl.password"] not in repr(security)


@pytest.mark.skipif(SCRAM_NONCE_BUG, reason=f"librdkafka {LIBRDKAFKA} < 2.6.1: see the next test")
def test_a_scram_login_over_tls_writes_and_reads(broker):
    errors = []
    producer = _producer(broker, "py.properties", errors)
    value = uuid.uuid4().hex.encode()
    producer.produce(TOPIC, value)
    assert producer.flush(RESULT_TIMEOUT) == 0, errors
    consumer = Consumer(
        secured(
            {
                "bootstrap.servers": broker.bootstrap,
                "group.id": f"py-secured-{uuid.uuid4().hex[:8]}",
                "auto.offset.reset": "earliest",
            },
            kafka_security(broker.dir / "py.properties"),
        )
    )
    try:
        consumer.subscribe([TOPIC])
        deadline = time.monotonic() + RESULT_TIMEOUT
        seen = []
        while value not in seen:
            assert time.monotonic() < deadline, f"read {seen}"
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                seen.append(message.value())
    finally:
        consumer.close()
    # A wrong password is refused, naming the mechanism.
    wrong = []
    refused = _producer(broker, "wrong-password.properties", wrong)
    _client_errors(refused, wrong, lambda: _auth_failures(wrong))
    assert "SCRAM-SHA-512" in str(_auth_failures(wrong)[0])


@pytest.mark.skipif(not SCRAM_NONCE_BUG, reason=f"librdkafka {LIBRDKAFKA} has the fix")
def test_an_old_librdkafka_completes_tls_and_is_refused_at_the_scram_proof(broker):
    """Debian 12's librdkafka 2.0.2: the TLS handshake with the PEM CA and host name verification
    succeeds (the SASL exchange runs inside it), then the broker refuses the SCRAM proof. The
    broker itself accepted the same user and password from Kafka's Java client
    (SecuredBroker.java checks it before it prints READY)."""
    errors = []
    producer = _producer(broker, "py.properties", errors)
    producer.produce(TOPIC, b"never delivered")
    _client_errors(producer, errors, lambda: _auth_failures(errors))
    failure = str(_auth_failures(errors)[0])
    assert "SASL authentication error" in failure and "invalid credentials" in failure, failure
    assert "SCRAM-SHA-512" in failure, failure
    assert not [e for e in errors if e.code() == KafkaError._SSL], errors
    producer.purge()
    producer.flush(0)


def test_a_broker_certificate_the_trust_store_does_not_hold_fails_the_tls_handshake(broker, tmp_path):
    # Another self-signed certificate: it did not sign the broker's.
    settings = (broker.dir / "py.properties").read_text().replace(
        "ssl.truststore.location=" + str(broker.dir / "tls" / "broker.pem"),
        "ssl.truststore.location=" + str(broker.dir / "other-ca" / "broker.pem"),
    )
    assert "other-ca" in settings
    (tmp_path / "other-ca.properties").write_text(settings)
    errors = []
    producer = Producer(
        secured(
            {"bootstrap.servers": broker.bootstrap, "error_cb": errors.append},
            kafka_security(tmp_path / "other-ca.properties"),
        )
    )
    producer.produce(TOPIC, b"never delivered")
    _client_errors(producer, errors, lambda: [e for e in errors if e.code() == KafkaError._SSL])
    assert "certificate verify failed" in str([e for e in errors if e.code() == KafkaError._SSL][0])
    producer.purge()
    producer.flush(0)
