package io.mlpstream.service;

/** What an instance does: train (consume, train, publish), or predict (follow the models the trainer publishes). */
public enum Role {
    TRAIN, PREDICT
}
