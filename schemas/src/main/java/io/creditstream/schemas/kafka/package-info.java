/**
 * Kafka administration every side shares: {@link io.creditstream.schemas.kafka.TopicCreator}
 * creates the absent topics of the job, the learner and the fleet.
 */
package io.creditstream.schemas.kafka;
