package io.mlpstream.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Five wrong credentials a minute per client, then 429 until the minute is over. */
class FailedLoginsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FailedLogins failed = new FailedLogins(now::get);

    @Test
    void theSixthGuessWithinAMinuteWaitsForTheMinuteToEnd() {
        for (int i = 0; i < 5; i++) {
            assertEquals(0, failed.blockedForSeconds("a"), "guess " + (i + 1) + " is answered");
            failed.failed("a");
            now.addAndGet(1_000);
        }
        assertEquals(55, failed.blockedForSeconds("a"), "blocked until a minute after the first failure");
        assertEquals(0, failed.blockedForSeconds("b"), "another client is not");
        now.addAndGet(55_000);
        assertEquals(0, failed.blockedForSeconds("a"), "a new minute");
        failed.failed("a");
        assertEquals(0, failed.blockedForSeconds("a"), "counted afresh");
    }
}
