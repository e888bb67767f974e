package io.mlpstream.broker;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * The embedded broker's one SASL user, made (or made again, with the same password) once the broker is up, through
 * its in-process plaintext listener: what kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' does.
 */
final class ScramUser {
    private ScramUser() {
    }

    static void upsert(String internalBootstrap, String user, String password) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", internalBootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
