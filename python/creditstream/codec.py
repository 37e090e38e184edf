"""Avro single-object encoding of creditstream's records, byte for byte as the Java codec writes it.

Every Kafka value in creditstream is the 2-byte marker ``C3 01``, the 8-byte little-endian
CRC-64-AVRO fingerprint of the writer schema's parsing canonical form, then the Avro binary body.
The schemas are the repository's ``.avsc`` files (``schemas/src/main/avro``), the same files the
Java build generates its classes from; a record that names a type from another file has that type
inlined at its first use before parsing, as Java's parser does, so the canonical forms, and hence
the fingerprints, are Java's.
"""

from __future__ import annotations

import io
import json
import os
import struct
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import avro.io
import avro.schema

MARKER = b"\xc3\x01"
HEADER_LENGTH = 10

_SCHEMA_DIR_ENV = "CREDITSTREAM_SCHEMA_DIR"
_NAMESPACE = "io.creditstream.schemas"

_EMPTY = 0xC15D213AA4D7A795


def _crc64_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY & -(fp & 1))
        table.append(fp)
    return table


_TABLE = _crc64_table()


def crc64_avro(data: bytes) -> int:
    """The CRC-64-AVRO fingerprint (Avro's Rabin fingerprint) of ``data``, as an unsigned int."""
    fp = _EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


class RecordDecodeError(ValueError):
    """A payload that is not a record of the expected schema; ``reason`` says why.

    The reasons are the Java codec's: ``truncated``, ``bad-marker``, ``unknown-schema``,
    ``malformed``.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RecordEncodeError(ValueError):
    """A record that does not fit its schema; ``field`` names the first field that does not."""

    def __init__(self, field: Optional[str], message: str):
        super().__init__(message)
        self.field = field


def schema_dir() -> Path:
    """Where the ``.avsc`` files are: ``$CREDITSTREAM_SCHEMA_DIR``, else the repository's."""
    override = os.environ.get(_SCHEMA_DIR_ENV)
    if override:
        return Path(override)
    here = Path(__file__).resolve()
    candidates = [
        here.parent / "avro",  # an installed copy shipped inside the package
        here.parents[2] / "schemas" / "src" / "main" / "avro",  # the repository checkout
    ]
    for candidate in candidates:
        if (candidate / "StepEvent.avsc").is_file():
            return candidate
    raise FileNotFoundError(
        "cannot find the creditstream .avsc files next to the package or in the repository "
        f"({', '.join(str(c) for c in candidates)}); set {_SCHEMA_DIR_ENV}"
    )


def _load_json_schemas(directory: Path) -> Dict[str, Any]:
    by_name = {}
    for path in sorted(directory.glob("*.avsc")):
        document = json.loads(path.read_text(encoding="utf-8"))
        full = document["name"]
        if "." not in full:
            full = document.get("namespace", "") + "." + full
        by_name[full] = document
    return by_name


def _inline(node: Any, namespace: str, by_name: Mapping[str, Any], seen: set) -> Any:
    """``node`` with every reference to a type of another file replaced by that type's definition
    at its first use (later uses stay references), as Java's parser resolves imports."""
    if isinstance(node, str):
        full = node if "." in node else f"{namespace}.{node}"
        if full in by_name and full not in seen:
            seen.add(full)
            definition = by_name[full]
            return _inline(definition, definition.get("namespace", namespace), by_name, seen)
        return node
    if isinstance(node, list):
        return [_inline(branch, namespace, by_name, seen) for branch in node]
    if isinstance(node, dict):
        kind = node.get("type")
        if kind in ("record", "error"):
            own = node.get("namespace", namespace)
            name = node["name"]
            seen.add(name if "." in name else f"{own}.{name}")
            copy = dict(node)
            copy["fields"] = [
                dict(field, type=_inline(field["type"], own, by_name, seen))
                for field in node["fields"]
            ]
            return copy
        if kind == "array":
            return dict(node, items=_inline(node["items"], namespace, by_name, seen))
        if kind == "map":
            return dict(node, values=_inline(node["values"], namespace, by_name, seen))
        if isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind in by_name):
            return dict(node, type=_inline(kind, namespace, by_name, seen))
        return node
    return node


class _Body(io.BytesIO):
    """The body of a payload; reading past its end raises EOFError (a truncated record)."""

    def read(self, size=-1):
        data = super().read(size)
        if size is not None and size > 0 and len(data) < size:
            raise EOFError(f"needed {size} bytes at offset {self.tell() - len(data)}, found {len(data)}")
        return data


def _complete(schema: avro.schema.Schema, value: Any) -> Any:
    """``value`` with the defaults of every record inside it filled in (nested records too)."""
    if isinstance(schema, avro.schema.RecordSchema) and isinstance(value, Mapping):
        full = {}
        for field in schema.fields:
            if field.name in value:
                full[field.name] = _complete(field.type, value[field.name])
            elif field.has_default:
                full[field.name] = field.default
        full.update({k: v for k, v in value.items() if k not in full})
        return full
    if isinstance(schema, avro.schema.ArraySchema) and isinstance(value, (list, tuple)):
        return [_complete(schema.items, item) for item in value]
    if isinstance(schema, avro.schema.MapSchema) and isinstance(value, Mapping):
        return {k: _complete(schema.values, v) for k, v in value.items()}
    if isinstance(schema, avro.schema.UnionSchema) and isinstance(value, Mapping):
        for branch in schema.schemas:
            if isinstance(branch, avro.schema.RecordSchema):
                return _complete(branch, value)
    return value


class Codec:
    """Encodes and decodes one record type in the single-object encoding.

    Records are plain dicts with the schema's snake_case field names; fields with a default may be
    left out when encoding. Not thread-safe only in that it shares nothing mutable: each call
    makes its own buffers, so one instance may serve several threads.
    """

    def __init__(self, name: str, schema: avro.schema.RecordSchema):
        self.name = name
        self.schema = schema
        self.canonical_form = schema.canonical_form
        self.fingerprint = crc64_avro(self.canonical_form.encode("utf-8"))
        self.header = MARKER + struct.pack("<Q", self.fingerprint)
        self._writer = avro.io.DatumWriter(schema)
        self._reader = avro.io.DatumReader(schema, schema)

    def with_defaults(self, record: Mapping[str, Any]) -> Dict[str, Any]:
        """``record`` with every absent field that has a default set to it; unknown names raise."""
        known = {field.name for field in self.schema.fields}
        unknown = sorted(set(record) - known)
        if unknown:
            raise RecordEncodeError(
                unknown[0],
                f"{self.name} has no field {', '.join(unknown)}; its fields are {sorted(known)}",
            )
        full = {}
        for field in self.schema.fields:
            if field.name in record:
                full[field.name] = _complete(field.type, record[field.name])
            elif field.has_default:
                full[field.name] = field.default
            else:
                raise RecordEncodeError(field.name, f"{self.name}.{field.name} is required")
        return full

    def encode(self, record: Mapping[str, Any]) -> bytes:
        """``record`` in the single-object encoding.

        Raises RecordEncodeError naming the first field whose value does not fit the schema.
        """
        full = self.with_defaults(record)
        buffer = io.BytesIO()
        buffer.write(self.header)
        try:
            # The writer validates the whole datum first; only a failure needs the field's name.
            self._writer.write(full, avro.io.BinaryEncoder(buffer))
        except Exception as e:
            for field in self.schema.fields:
                if not avro.io.validate(field.type, full[field.name]):
                    raise RecordEncodeError(
                        field.name,
                        f"{self.name}.{field.name} = {full[field.name]!r} does not fit the "
                        f"schema type {field.type}",
                    ) from None
            raise RecordEncodeError(None, f"cannot encode {self.name}: {e}") from e
        return buffer.getvalue()

    def decode(self, payload: Optional[bytes]) -> Dict[str, Any]:
        """The record in ``payload``; RecordDecodeError if it is not one of this schema."""
        if payload is None:
            raise RecordDecodeError("truncated", f"cannot decode {self.name}: payload is null")
        payload = bytes(payload)
        if len(payload) < HEADER_LENGTH:
            raise RecordDecodeError(
                "truncated",
                f"cannot decode {self.name}: payload has {len(payload)} bytes, fewer than the "
                f"{HEADER_LENGTH}-byte single-object header",
            )
        if payload[:2] != MARKER:
            raise RecordDecodeError(
                "bad-marker",
                f"cannot decode {self.name}: bad marker {payload[0]:02X} {payload[1]:02X}, "
                "expected C3 01 (Avro single-object encoding)",
            )
        (fingerprint,) = struct.unpack_from("<Q", payload, 2)
        if fingerprint != self.fingerprint:
            raise RecordDecodeError(
                "unknown-schema",
                f"cannot decode {self.name}: unknown writer schema fingerprint "
                f"0x{fingerprint:016x}; known: 0x{self.fingerprint:016x} (current)",
            )
        body = _Body(payload[HEADER_LENGTH:])
        try:
            record = self._reader.read(avro.io.BinaryDecoder(body))
        except (struct.error, EOFError) as e:
            raise RecordDecodeError(
                "truncated", f"cannot decode {self.name}: truncated body: {e}"
            ) from e
        except Exception as e:  # the avro library raises assorted types on bad input
            raise RecordDecodeError(
                "malformed", f"cannot decode {self.name}: malformed body: {e!r}"
            ) from e
        trailing = len(payload) - HEADER_LENGTH - body.tell()
        if trailing:
            raise RecordDecodeError(
                "malformed", f"cannot decode {self.name}: {trailing} unexpected bytes after the record"
            )
        return record


_CODECS: Dict[str, Codec] = {}


def codec(name: str) -> Codec:
    """The codec of record ``name`` (``StepEvent``, ``AdvantageBatch``, … or a full name)."""
    cached = _CODECS.get(name)
    if cached is not None:
        return cached
    by_name = _load_json_schemas(schema_dir())
    matches = [full for full in by_name if full == name or full.endswith("." + name)]
    if len(matches) != 1:
        raise KeyError(f"no schema {name} in {schema_dir()}; there are {sorted(by_name)}")
    full = matches[0]
    inlined = _inline(full, _NAMESPACE, by_name, set())
    parsed = avro.schema.parse(json.dumps(inlined))
    created = Codec(full.rsplit(".", 1)[1], parsed)
    _CODECS[name] = created
    return created


def schema_names():
    """Full names of every record schema in the schema directory."""
    return sorted(_load_json_schemas(schema_dir()))
