/**
 * The running service without its adapters: the typed configuration ({@link io.mlpstream.service.MlpConfig}),
 * the models it trains ({@link io.mlpstream.service.Models}: each a {@link io.mlpstream.service.RunningModel}
 * made from a {@link io.mlpstream.service.ModelSpec}; the lab preset; which one serves) and the threads that
 * drive them ({@link io.mlpstream.service.TrainerThreads}), the checkpoint policy, and what the HTTP API may see
 * of them ({@link io.mlpstream.service.ServingModel}, {@link io.mlpstream.service.ModelAdmin}). May import
 * {@code learn}, {@code nn}, {@code events}, {@code data}, and CDI; never {@code messaging}, {@code api} or
 * {@code cli}.
 */
package io.mlpstream.service;
