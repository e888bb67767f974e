package io.mlpstream.messaging;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * A predictor replica ({@code mlp.role=predict}) must not join the trainer's consumer group: it would take input
 * partitions from it. So, whatever else is configured, the SmallRye channel that consumes the inputs is disabled in
 * that role. (Registered in META-INF/services; SmallRye asks it for every configuration value.)
 */
public class PredictRoleConfig implements ConfigSourceInterceptor {
    static final String INPUT_CHANNEL_ENABLED = "mp.messaging.incoming.images.enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!INPUT_CHANNEL_ENABLED.equals(name)) return value;
        ConfigValue role = context.proceed("mlp.role");
        if (role == null || !"predict".equalsIgnoreCase(role.getValue())) return value;
        return ConfigValue.builder().withName(name).withValue("false").withConfigSourceName("mlp.role=predict").build();
    }
}
