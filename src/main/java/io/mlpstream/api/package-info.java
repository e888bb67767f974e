/**
 * The HTTP API: thin JAX-RS resources that delegate to {@code service} and {@code streams} and return
 * records, the admin authentication filter, and JSON problem details for errors.
 */
package io.mlpstream.api;
