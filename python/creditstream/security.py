"""Kafka client security settings for the Python clients, from the same properties file as the Java
side (``--kafka-properties FILE``, in Kafka's own names), translated to librdkafka's names for
confluent_kafka.

    from creditstream import StepWriter, kafka_security
    security = kafka_security("fleet.properties")
    writer = StepWriter("broker:9093", security=security)

What translates (the rest raises ``ValueError`` naming the key):

============================================  ==============================================
Kafka (Java) property                         librdkafka property
============================================  ==============================================
``security.protocol``                         ``security.protocol``
``sasl.mechanism``                            ``sasl.mechanisms``
``sasl.jaas.config`` (PLAIN / SCRAM login)    ``sasl.username`` + ``sasl.password``
``ssl.truststore.location`` (type PEM)        ``ssl.ca.location``
``ssl.truststore.certificates``               ``ssl.ca.pem``
``ssl.keystore.location`` (PKCS12)            ``ssl.keystore.location``
``ssl.keystore.password``                     ``ssl.keystore.password``
``ssl.keystore.key`` / ``.certificate.chain``  ``ssl.key.pem`` / ``ssl.certificate.pem``
``ssl.key.password``                          ``ssl.key.password``
``ssl.endpoint.identification.algorithm``     ``ssl.endpoint.identification.algorithm``
                                              (``https``, or ``none`` for an empty value)
``ssl.cipher.suites``                         ``ssl.cipher.suites``
============================================  ==============================================

librdkafka reads no Java key stores as trust stores: a trust store must be PEM
(``ssl.truststore.type=PEM``; export one with ``keytool -exportcert -rfc``).

SCRAM needs librdkafka 2.6.1 or later against Kafka 4: older ones repeat the client nonce in their
final SCRAM message, which Kafka 4 refuses as invalid credentials (docs/SECURITY.md). A SCRAM
setting with an older librdkafka warns (``scram_login_problem``).
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any, Dict, Mapping, Optional, Tuple, Union

MASK = "******"

_JAAS = re.compile(r'(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"')
_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_IGNORED = {
    # JVM-only choices with no librdkafka counterpart and no effect on what is sent.
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.provider",
}


#: The first librdkafka whose SCRAM login Kafka 4 accepts: earlier ones send the client nonce twice
#: in the client-final-message (fixed by confluentinc/librdkafka#4895).
SCRAM_FIXED_LIBRDKAFKA = (2, 6, 1)


def librdkafka_version() -> Tuple[int, ...]:
    """The version of the librdkafka confluent_kafka runs on, as (major, minor, patch)."""
    import confluent_kafka

    return tuple(int(part) for part in confluent_kafka.libversion()[0].split("-")[0].split(".")[:3])


def scram_login_problem(mechanism: str, version: Optional[Tuple[int, ...]] = None) -> Optional[str]:
    """Why a SCRAM login from this librdkafka fails on Kafka 4 brokers, or None when it does not."""
    if not mechanism.upper().startswith("SCRAM-"):
        return None
    version = librdkafka_version() if version is None else version
    if tuple(version) >= SCRAM_FIXED_LIBRDKAFKA:
        return None
    have = ".".join(str(v) for v in version)
    return (
        f"sasl.mechanism={mechanism} with librdkafka {have}: Kafka 4 brokers refuse its SCRAM login"
        " as invalid credentials (librdkafka before 2.6.1 repeats the client nonce in its final"
        " SCRAM message); use confluent-kafka 2.6.1 or later, or a listener with SASL PLAIN over TLS"
        " or mutual TLS (docs/SECURITY.md)"
    )


def is_secret(key: str) -> bool:
    """Whether a setting's value is a secret (shown only as ``******``)."""
    k = key.lower()
    return (
        "password" in k
        or "jaas" in k
        or "secret" in k
        or k.endswith(".key")
        or k.endswith("key.pem")
    )


def masked(settings: Mapping[str, Any]) -> Dict[str, Any]:
    """The settings as they may be printed: secrets masked."""
    return {k: (MASK if is_secret(k) else v) for k, v in settings.items()}


def load_properties(path: Union[str, os.PathLike]) -> Dict[str, str]:
    """A Java properties file's ``key=value`` (or ``key: value``) pairs; comments (# or !) and
    backslash-continued lines as java.util.Properties reads them, for the plain files an operator
    writes (no unicode escapes)."""
    settings: Dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        logical = ""
        for raw in f.read().splitlines():
            line = raw.lstrip() if not logical else raw.lstrip()
            if not logical and (not line or line[0] in "#!"):
                continue
            if line.endswith("\\") and not line.endswith("\\\\"):
                logical += line[:-1]
                continue
            logical += line
            match = re.match(r"((?:[^=:\s\\]|\\.)+)\s*[=:\s]\s*(.*)$", logical)
            if match:
                key = match.group(1).replace("\\", "")
                value = re.sub(r"\\(.)", r"\1", match.group(2))
                settings[key] = value
            else:
                settings[logical.strip()] = ""
            logical = ""
    return settings


def _jaas_login(jaas: str) -> Dict[str, str]:
    options = dict(_JAAS.findall(jaas))
    if "username" not in options or "password" not in options:
        raise ValueError(
            "sasl.jaas.config has no username=\"...\" password=\"...\" login; the Python clients"
            " support the PLAIN and SCRAM login modules"
        )
    return {"sasl.username": options["username"], "sasl.password": options["password"]}


def librdkafka_config(settings: Mapping[str, str], origin: str = "the Kafka settings") -> Dict[str, Any]:
    """The librdkafka settings for Kafka (Java) client security settings.

    Raises ValueError naming the key for one that has no translation, or a bad value; never
    with a secret in the message."""
    out: Dict[str, Any] = {}
    truststore_type = settings.get("ssl.truststore.type", "JKS").upper()
    keystore_type = settings.get("ssl.keystore.type", "JKS").upper()
    for key, value in settings.items():
        if key in _IGNORED or key in ("ssl.truststore.type", "ssl.keystore.type"):
            continue
        if key == "security.protocol":
            if value.upper() not in _PROTOCOLS:
                raise ValueError(
                    f"security.protocol in {origin} is '{value}'; use one of {', '.join(_PROTOCOLS)}"
                )
            out["security.protocol"] = value.upper()
        elif key == "sasl.mechanism":
            out["sasl.mechanisms"] = value
            problem = scram_login_problem(value)
            if problem is not None:
                warnings.warn(problem, RuntimeWarning, stacklevel=2)
        elif key == "sasl.jaas.config":
            out.update(_jaas_login(value))
        elif key == "ssl.truststore.location":
            if truststore_type != "PEM":
                raise ValueError(
                    f"ssl.truststore.location in {origin} is a {truststore_type} store, which"
                    " librdkafka cannot read; export the CA certificate as PEM (keytool"
                    " -exportcert -rfc) and set ssl.truststore.type=PEM"
                )
            out["ssl.ca.location"] = value
        elif key == "ssl.truststore.certificates":
            out["ssl.ca.pem"] = value
        elif key == "ssl.truststore.password":
            continue  # a PEM trust store has none
        elif key == "ssl.keystore.location":
            if keystore_type != "PKCS12":
                raise ValueError(
                    f"ssl.keystore.location in {origin} is a {keystore_type} store; librdkafka"
                    " reads PKCS12 (ssl.keystore.type=PKCS12) or PEM given inline"
                    " (ssl.keystore.key, ssl.keystore.certificate.chain)"
                )
            out["ssl.keystore.location"] = value
        elif key == "ssl.keystore.password":
            out["ssl.keystore.password"] = value
        elif key == "ssl.keystore.key":
            out["ssl.key.pem"] = value
        elif key == "ssl.keystore.certificate.chain":
            out["ssl.certificate.pem"] = value
        elif key == "ssl.key.password":
            out["ssl.key.password"] = value
        elif key == "ssl.endpoint.identification.algorithm":
            out["ssl.endpoint.identification.algorithm"] = value.lower() if value else "none"
        elif key == "ssl.cipher.suites":
            out["ssl.cipher.suites"] = value
        else:
            raise ValueError(
                f"Kafka client setting '{key}' in {origin} has no librdkafka translation here;"
                " see creditstream.security for the ones that have"
            )
    return out


class KafkaSecurity:
    """Security settings for every confluent_kafka client, from Kafka (Java) property names.
    Printing it shows the secrets masked."""

    def __init__(self, settings: Mapping[str, str], origin: str = "the Kafka settings"):
        self.settings = dict(settings)
        self.origin = origin
        self.config = librdkafka_config(self.settings, origin)

    def apply(self, config: Mapping[str, Any]) -> Dict[str, Any]:
        """A copy of a client's config with the security settings on top."""
        merged = dict(config)
        merged.update(self.config)
        return merged

    def __repr__(self) -> str:
        return f"KafkaSecurity({masked(self.settings)!r})"

    __str__ = __repr__


def kafka_security(
    source: Union[None, str, os.PathLike, Mapping[str, str], KafkaSecurity],
) -> Optional[KafkaSecurity]:
    """The settings of a properties file path, a mapping of Kafka property names, or None."""
    if source is None or isinstance(source, KafkaSecurity):
        return source
    if isinstance(source, Mapping):
        return KafkaSecurity(source)
    return KafkaSecurity(load_properties(source), str(source))


def secured(config: Mapping[str, Any], security: Optional[KafkaSecurity]) -> Dict[str, Any]:
    """A client's config with ``security`` applied (unchanged without it)."""
    return security.apply(config) if security is not None else dict(config)
