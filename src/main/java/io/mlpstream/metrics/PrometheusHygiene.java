package io.mlpstream.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the whole /q/metrics output valid for `promtool check metrics`. Some third-party binders write
 * double quotes in their help texts (the JVM's process_cpu_usage: The "recent cpu usage"...), which
 * the exposition format cannot carry in HELP lines: they become single quotes. Others register meters
 * with no description at all (Vert.x's HTTP connection gauges, Netty's allocator): they get their
 * name, in words, as help text.
 */
public class PrometheusHygiene {

    /**
     * Meters whose Prometheus names break the naming rules, and that the dashboard does not need:
     * http.server.connections (a long-task timer exposed without help text), process.cpu.time
     * (nanoseconds, not base units; process_cpu_usage remains) and system.cpu.count (a gauge ending
     * in _count).
     */
    @Produces
    @Singleton
    public MeterFilter offendingNames() {
        return MeterFilter.deny(id -> id.getName().equals("http.server.connections")
                || id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count"));
    }

    @Produces
    @Singleton
    public MeterFilter quotesInHelp() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String d = id.getDescription();
                String fixed = d == null || d.isBlank() ? id.getName().replace('.', ' ') : d.replace('"', '\'');
                if (fixed.equals(d)) return id;
                return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()),
                        id.getBaseUnit(), fixed, id.getType());
            }
        };
    }
}
