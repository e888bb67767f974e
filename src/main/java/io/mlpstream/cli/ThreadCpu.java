package io.mlpstream.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each thread's CPU time in a JVM, from a thread dump ({@code jcmd <pid> Thread.print}, whose header lines say
 * {@code cpu=...ms} per thread): the serial cost of a stage is its thread's CPU clock, not the wall time, which
 * counts waiting and the other cores. Names that differ only by numbers or a UUID (a pool's threads, Kafka Streams'
 * StreamThread-1 and -2) are summed under one name with {@code #} in their place.
 */
record ThreadCpu(Map<String, Double> millis) {
    private static final Pattern HEADER = Pattern.compile("^\"(.+?)\" .*?cpu=([0-9.]+)ms", Pattern.MULTILINE);
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static ThreadCpu parse(String threadDump) {
        Map<String, Double> millis = new TreeMap<>();
        Matcher m = HEADER.matcher(threadDump);
        while (m.find()) millis.merge(group(m.group(1)), Double.parseDouble(m.group(2)), Double::sum);
        return new ThreadCpu(millis);
    }

    /** The same for the threads of this JVM, from its own thread clocks. */
    static ThreadCpu ofThisJvm() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Double> millis = new TreeMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            long nanos = t == null ? -1 : threads.getThreadCpuTime(t.getThreadId());
            if (nanos >= 0) millis.merge(group(t.getThreadName()), nanos / 1e6, Double::sum);
        }
        return new ThreadCpu(millis);
    }

    /** A thread's name with what tells a pool's threads apart left out. */
    static String group(String name) {
        return UUID.matcher(name).replaceAll("#").replaceAll("\\d+", "#");
    }

    /** CPU microseconds per unit of work between an earlier sample and this one, per name above 1 us. */
    Map<String, Double> microsPer(ThreadCpu earlier, long units) {
        Map<String, Double> per = new LinkedHashMap<>();
        millis.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - earlier.millis.getOrDefault(e.getKey(), 0.0)) * 1000 / units))
                .filter(e -> e.getValue() > 1)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> per.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return per;
    }

    /** The sum of {@link #microsPer} over the threads whose names pass. */
    double microsPer(ThreadCpu earlier, long units, Predicate<String> threads) {
        double sum = 0;
        for (var e : millis.entrySet()) {
            if (threads.test(e.getKey())) sum += (e.getValue() - earlier.millis.getOrDefault(e.getKey(), 0.0)) * 1000 / units;
        }
        return Math.round(sum * 100) / 100.0;
    }
}
