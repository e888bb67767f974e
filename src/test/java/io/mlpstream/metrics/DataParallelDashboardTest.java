package io.mlpstream.metrics;

import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/**
 * Issue 26: every dashboard query returns data in data-parallel mode too (the model version, the examples per shard and
 * the sync histogram are the mode's own panels). The same checks as {@link DashboardTest}, the service one shard.
 */
@QuarkusTest
@TestProfile(DataParallelDashboardTest.DataParallel.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class DataParallelDashboardTest extends DashboardTest {

    public static class DataParallel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.training.mode", "data-parallel", "mlp.training.instance-id", "dashboard-0");
        }
    }
}
