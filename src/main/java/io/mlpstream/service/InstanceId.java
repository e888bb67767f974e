package io.mlpstream.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * This instance's id in data-parallel mode, part of each shard's transactional id: {@code mlp.training.instance-id}
 * when set (a StatefulSet passes its pod's ordinal), else the one kept in {@code <data dir>/instance-id}, made once
 * when the directory has none. Stable across restarts, so that a restarted shard takes its predecessor's
 * transactional id and aborts its open transaction at once; never the host name, which a new pod changes.
 */
public final class InstanceId {
    private static final String FILE = "instance-id";

    private InstanceId() {
    }

    public static synchronized String of(MlpConfig config) {
        if (config.training().instanceId().isPresent()) return config.training().instanceId().get().trim();
        Path file = Path.of(config.dataDir(), FILE);
        try {
            if (Files.exists(file)) return Files.readString(file, StandardCharsets.UTF_8).trim();
            String id = "i" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
            Files.createDirectories(file.getParent());
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep this instance's id in " + file + ": set mlp.training.instance-id", e);
        }
    }

    /**
     * This instance's shards, as its updates and the live page name them: {@code <instance id>-0} to
     * {@code <instance id>-<shards - 1>}, joined by ", "; "0" in single mode. (The metrics' {@code shard} label is the
     * shard's index within its instance; their {@code instance} label tells the instances apart.)
     */
    public static String shards(MlpConfig config) {
        if (!config.training().dataParallel()) return "0";
        String id = of(config);
        return IntStream.range(0, config.training().shards()).mapToObj(s -> id + "-" + s).collect(Collectors.joining(", "));
    }
}
