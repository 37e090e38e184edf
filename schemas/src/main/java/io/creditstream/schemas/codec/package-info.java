/**
 * Codecs for creditstream's Avro records: {@link io.creditstream.schemas.codec.AvroCodec} for the
 * single-object binary encoding of Kafka values, and {@link
 * io.creditstream.schemas.codec.JsonRecordCodec} for the JSON-lines form used by the offline {@code
 * estimate} command.
 */
package io.creditstream.schemas.codec;
