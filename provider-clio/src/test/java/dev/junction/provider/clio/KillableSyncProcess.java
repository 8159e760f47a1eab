package dev.junction.provider.clio;

import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The process {@link ClioKillMidSyncTest} kills: it opens a hub on the test's database and runs a full sync of one
 * Clio connection, printing {@code pages=N} after each page so the test knows when to kill it.
 *
 * <p>Arguments: {@code <jdbc url | data directory> <base64 key> <tenant> <connection id> <entity>}.
 */
public final class KillableSyncProcess {

    public static void main(String[] args) throws Exception {
        String database = args[0];
        HubBuilder builder = Hub.builder();
        if (database.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource source = new PGSimpleDataSource();
            source.setURL(database);
            source.setUser("postgres");
            builder.withDataSource(source);
        } else {
            builder.withDataDirectory(Path.of(database));
        }
        try (Hub hub = builder.withEncryptionKey("k1", args[1])
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(ClioKillMidSyncTest.PAGE_SIZE)
                .withLeaseDuration(ClioKillMidSyncTest.LEASE)
                .withInstanceName("doomed-process")
                .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClioProvider(), Settings.of(Map.of(ClioProvider.CLIENT_ID, ClioKillMidSyncTest.CLIENT_ID,
                        ClioProvider.CLIENT_SECRET, ClioKillMidSyncTest.CLIENT_SECRET)))
                .build()) {
            SyncHandle handle = hub.startSync(args[2], args[3], SyncRequest.full().only(args[4]));
            long reported = -1;
            while (!handle.done()) {
                long pages = handle.progress().pages();
                if (pages != reported) {
                    System.out.println("pages=" + pages);
                    System.out.flush();
                    reported = pages;
                }
                Thread.sleep(10);
            }
            System.out.println("finished " + handle.await().status());
        }
    }
}
