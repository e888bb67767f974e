/**
 * The running service without its adapters: the typed configuration ({@link io.mlpstream.service.MlpConfig}),
 * the model factory, the model and its trainer thread ({@link io.mlpstream.service.RunningModel}), the
 * checkpoint policy, and what the HTTP API may see of the model ({@link io.mlpstream.service.ServingModel},
 * {@link io.mlpstream.service.ModelAdmin}). May import {@code learn}, {@code nn}, {@code events},
 * {@code data}, and CDI; never {@code messaging}, {@code api} or {@code cli}.
 */
package io.mlpstream.service;
