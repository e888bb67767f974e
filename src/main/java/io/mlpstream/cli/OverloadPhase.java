package io.mlpstream.cli;

import io.mlpstream.data.IdxReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/** The last phase of {@code bench-kafka}: more events per second than the service can train. */
final class OverloadPhase {
    private OverloadPhase() {
    }

    /**
     * Backpressure: a producer faster than training. Lag must grow while it sends and drain after it
     * stops, the heap must stay flat (the bounded poll, trainer buffer and producer buffer hold the
     * excess in Kafka, not in memory), and every event must be trained on: nothing dropped.
     */
    static void run(String bootstrap, IdxReader.Images images, byte[] labels, double rate, int seconds,
                                 long producedBefore, ChildService service, Admin admin) throws Exception {
        int total = (int) (rate * seconds);
        Thread producer = new Thread(() -> {
            try {
                Produce.send(bootstrap, "images", images, labels, total, rate, "overload-", false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "overload-producer");
        long liveBefore = service.liveHeap();
        long start = System.nanoTime();
        producer.start();
        long maxLag = 0, maxHeap = 0, minHeap = Long.MAX_VALUE, lag = -1, drainedAt = -1, liveAtPeak = -1;
        long stoppedAt = -1, trainedAtStop = -1, trained = -1;
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds + 600L);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            lag = KafkaBench.lag(admin);
            long heap = service.heap();
            maxLag = Math.max(maxLag, lag);
            maxHeap = Math.max(maxHeap, heap);
            minHeap = Math.min(minHeap, heap);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "overload");
            l.put("second", Math.round((System.nanoTime() - start) / 1e9));
            l.put("producing", producer.isAlive());
            l.put("lag", lag);
            trained = service.trained();
            l.put("examplesTrained", trained);
            l.put("heapUsedBytes", heap);
            KafkaBench.line(l);
            if (!producer.isAlive() && stoppedAt < 0) {
                stoppedAt = System.nanoTime();
                trainedAtStop = trained;
                liveAtPeak = service.liveHeap(); // lag is at its peak
            }
            if (!producer.isAlive() && lag == 0) {
                drainedAt = System.nanoTime();
                break;
            }
        }
        producer.join();
        Thread.sleep(2000); // the last partial batch is trained after the idle flush
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("phase", "overload-summary");
        l.put("rate", rate);
        l.put("events", total);
        l.put("maxLag", maxLag);
        l.put("drainedAfterSeconds", drainedAt < 0 ? null : Math.round((drainedAt - start) / 1e8) / 10.0);
        // the backlog worked off by a warm service, with nothing else producing: catch-up speed after JIT warm-up
        l.put("drainExamplesPerSecond", drainedAt < 0 ? null
                : Math.round((trained - trainedAtStop) / ((drainedAt - stoppedAt) / 1e9)));
        l.put("heapUsedBytesMin", minHeap);
        l.put("heapUsedBytesMax", maxHeap);
        l.put("liveHeapBytesBefore", liveBefore);
        l.put("liveHeapBytesAtPeakLag", liveAtPeak);
        l.put("liveHeapBytesAfter", service.liveHeap());
        l.put("examplesProduced", producedBefore + total);
        l.put("examplesTrained", service.trained());
        KafkaBench.line(l);
    }
}
