"""Kafka (Java) security properties → librdkafka settings, as the Python clients apply them; no
broker needed (the Java side's SecuredKafkaITCase runs the components against a SASL_SSL one)."""

from __future__ import annotations

import pytest

from creditstream.security import (
    MASK,
    KafkaSecurity,
    kafka_security,
    librdkafka_config,
    load_properties,
    scram_login_problem,
    secured,
)

PASSWORD = "s3cr3t-pa55"
JAAS = (
    "org.apache.kafka.common.security.scram.ScramLoginModule required"
    f' username="fleet" password="{PASSWORD}";'
)


def test_the_java_properties_file_becomes_librdkafka_settings(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    props = tmp_path / "fleet.properties"
    props.write_text(
        "# the fleet's login\n"
        "security.protocol=sasl_ssl\n"
        "sasl.mechanism = SCRAM-SHA-512\n"
        f"sasl.jaas.config={JAAS[:40]}\\\n    {JAAS[40:]}\n"
        "ssl.truststore.type=PEM\n"
        f"ssl.truststore.location={ca}\n"
        "ssl.endpoint.identification.algorithm=\n"
    )
    security = kafka_security(props)
    assert security.config == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": "fleet",
        "sasl.password": PASSWORD,
        "ssl.ca.location": str(ca),
        "ssl.endpoint.identification.algorithm": "none",
    }
    config = secured({"bootstrap.servers": "b:9093", "acks": "all"}, security)
    assert config["bootstrap.servers"] == "b:9093"
    assert config["sasl.username"] == "fleet"
    assert secured({"acks": "all"}, None) == {"acks": "all"}


def test_printing_the_settings_masks_the_secrets():
    security = KafkaSecurity(
        {"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": JAAS}
    )
    assert PASSWORD not in repr(security)
    assert PASSWORD not in str(security)
    assert MASK in repr(security)


def test_a_java_trust_store_fails_naming_the_key_and_the_fix():
    with pytest.raises(ValueError, match="ssl.truststore.location .* PKCS12 store.*-exportcert"):
        librdkafka_config(
            {"security.protocol": "SSL", "ssl.truststore.type": "PKCS12",
             "ssl.truststore.location": "/x.p12", "ssl.truststore.password": PASSWORD}
        )


def test_an_unknown_key_fails_naming_it_and_never_the_secret():
    with pytest.raises(ValueError, match="'sasl.mechansim'"):
        librdkafka_config({"security.protocol": "SASL_SSL", "sasl.mechansim": "PLAIN"})
    with pytest.raises(ValueError, match="security.protocol .* 'TLS'"):
        librdkafka_config({"security.protocol": "TLS"})
    with pytest.raises(ValueError, match="username") as failure:
        librdkafka_config({"sasl.jaas.config": f'x required password="{PASSWORD}";'})
    assert PASSWORD not in str(failure.value)


def test_properties_are_read_as_java_reads_them(tmp_path):
    props = tmp_path / "p.properties"
    props.write_text("! comment\na=1\nb : two words\nc 3\nd=x\\\n  y\n\n")
    assert load_properties(props) == {"a": "1", "b": "two words", "c": "3", "d": "xy"}


def test_a_scram_login_with_a_librdkafka_kafka_4_refuses_says_so():
    problem = scram_login_problem("SCRAM-SHA-512", (2, 0, 2))
    assert "librdkafka 2.0.2" in problem and "2.6.1" in problem and "Kafka 4" in problem
    assert scram_login_problem("SCRAM-SHA-256", (2, 6, 1)) is None
    assert scram_login_problem("PLAIN", (2, 0, 2)) is None
