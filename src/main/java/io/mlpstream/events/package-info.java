/**
 * The records of the Kafka contracts (image events, predictions, training metrics), their JSON, and
 * strict validation with stable reasons. May import the JDK and Jackson only.
 */
package io.mlpstream.events;
