package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * Review finding 15: every predictor replica runs the statistics, and a Streams client shut down for good (the sixth
 * thread failure) kept the replica out of its Service although its models answer. A replica is ready when it holds a
 * model; the statistics' state is reported, not gated on. The trainer's readiness still includes it.
 */
class StatsReadinessTest {

    @Test
    void theStatisticsGateTheTrainersReadinessOnly() {
        assertEquals(HealthCheckResponse.Status.DOWN, StatsReadiness.check(KafkaStreams.State.ERROR, false).getStatus());
        assertEquals(HealthCheckResponse.Status.DOWN, StatsReadiness.check(null, false).getStatus());
        assertEquals(HealthCheckResponse.Status.UP, StatsReadiness.check(KafkaStreams.State.RUNNING, false).getStatus());
        HealthCheckResponse replica = StatsReadiness.check(KafkaStreams.State.ERROR, true);
        assertEquals(HealthCheckResponse.Status.UP, replica.getStatus(), "a replica answers with its models");
        assertEquals("ERROR", replica.getData().orElseThrow().get("state"), "and says what its statistics do");
    }
}
