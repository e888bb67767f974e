package io.mlpstream.messaging;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * A background thread's loop over Kafka clients, made anew 2 s after a failure, until stopped: a replica's
 * {@link ModelFollower}, a shard's {@link VersionFollower} and the {@link ModelAverager}. {@link #stop} wakes the
 * consumer out of its poll. An Error (an OutOfMemoryError) is retried too: it must not end the thread and leave stale
 * weights serving (review S3).
 */
final class ClientLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(ClientLoop.class);
    private static final long RETRY_MILLIS = 2000;

    /** One pass: opens its clients, uses them while {@link #running}, closes them. */
    interface Body {
        void run() throws Exception;
    }

    private final String what;
    private final Body body;
    private volatile boolean running = true;
    private volatile KafkaConsumer<?, ?> consumer;

    /** @param what what the loop does, for the log line of a failure ("Following models") */
    ClientLoop(String what, Body body) {
        this.what = what;
        this.body = body;
    }

    @Override
    public void run() {
        while (running) {
            try {
                body.run();
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (!running) return;
                LOG.warnf("%s failed (%s); again in 2 s", what, e.toString());
                sleep();
            } catch (Error e) {
                if (!running) return;
                LOG.errorf(e, "%s failed; again in 2 s", what);
                sleep();
            } finally {
                consumer = null;
            }
        }
    }

    boolean running() {
        return running;
    }

    /** The pass's consumer, which {@link #stop} wakes. */
    <K, V> KafkaConsumer<K, V> wakes(KafkaConsumer<K, V> c) {
        consumer = c;
        return c;
    }

    void stop() {
        running = false;
        KafkaConsumer<?, ?> c = consumer;
        if (c != null) c.wakeup();
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
