package io.mlpstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    private static final String BEFORE = """
            "mlp-trainer" #45 daemon prio=5 os_prio=0 cpu=1000.50ms elapsed=80.01s tid=0x1 nid=0x2 waiting on condition
            "mlp-model-1" #46 daemon prio=5 os_prio=0 cpu=10.00ms elapsed=80.01s tid=0x1 nid=0x3 runnable
            "mlp-stream-stats-0b9e2b4e-5c1a-4a8e-9d6f-1234567890ab-StreamThread-1" #60 prio=5 os_prio=0 cpu=200.00ms elapsed=70s tid=0x5 nid=0x6 runnable
            """;
    private static final String AFTER = """
            "mlp-trainer" #45 daemon prio=5 os_prio=0 cpu=3000.50ms elapsed=90.01s tid=0x1 nid=0x2 runnable
            "mlp-model-1" #46 daemon prio=5 os_prio=0 cpu=10.50ms elapsed=90.01s tid=0x1 nid=0x3 runnable
            "mlp-model-2" #47 daemon prio=5 os_prio=0 cpu=500.00ms elapsed=5.01s tid=0x1 nid=0x4 runnable
            "mlp-stream-stats-0b9e2b4e-5c1a-4a8e-9d6f-1234567890ab-StreamThread-1" #60 prio=5 os_prio=0 cpu=400.00ms elapsed=80s tid=0x5 nid=0x6 runnable
            "VM Thread" os_prio=0 cpu=0.01ms elapsed=90s tid=0x7 nid=0x8 runnable
            """;

    @Test
    void eachThreadsCpuPerExampleIsItsCpuClockBetweenTwoDumps() {
        ThreadCpu before = ThreadCpu.parse(BEFORE), after = ThreadCpu.parse(AFTER);
        assertEquals(Map.of("mlp-trainer", 3000.5, "mlp-model-#", 510.5, "mlp-stream-stats-#-StreamThread-#", 400.0, "VM Thread", 0.01),
                after.millis());
        // 1,000 examples: the trainer 2,000 ms, the pool 500.5 ms (a new thread counts whole), the statistics 200 ms
        assertEquals(Map.of("mlp-trainer", 2000.0, "mlp-model-#", 500.5, "mlp-stream-stats-#-StreamThread-#", 200.0),
                after.microsPer(before, 1000));
        assertEquals(2500.5, after.microsPer(before, 1000, n -> n.startsWith("mlp-trainer") || n.startsWith("mlp-model-")));
    }

    @Test
    void thisJvmsThreadsAreReadFromTheirOwnClocks() throws Exception {
        Thread busy = new Thread(() -> {
            long end = System.nanoTime() + 200_000_000L, x = 0;
            while (System.nanoTime() < end) x += x * 31 + 7;
            if (x == 42) System.out.println(x);
        }, "cpu-test-7");
        ThreadCpu before = ThreadCpu.ofThisJvm();
        busy.start();
        Thread.sleep(150);
        ThreadCpu during = ThreadCpu.ofThisJvm();
        busy.join();
        double ms = during.millis().getOrDefault("cpu-test-#", 0.0) - before.millis().getOrDefault("cpu-test-#", 0.0);
        assertTrue(ms > 20 && ms < 1000, "the busy thread's CPU over 150 ms, grouped by name: " + ms);
    }
}
