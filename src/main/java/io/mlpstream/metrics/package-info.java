/**
 * Micrometer binders: the Prometheus meters of learning and delivery, and the meter filters that keep
 * the output valid for promtool. May import {@code service} and {@code learn}.
 */
package io.mlpstream.metrics;
