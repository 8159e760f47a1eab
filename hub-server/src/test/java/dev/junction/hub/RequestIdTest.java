package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Request ids made for requests that bring none: version-4 UUIDs, as before, and distinct. */
class RequestIdTest {

    @Test
    void aMadeRequestIdIsARandomUuidInItsUsualForm() {
        String id = HttpDispatcher.newRequestId();

        UUID parsed = UUID.fromString(id);
        assertThat(parsed.toString()).isEqualTo(id);
        assertThat(parsed.version()).isEqualTo(4);
        assertThat(parsed.variant()).isEqualTo(2);
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void madeRequestIdsDoNotRepeat() throws InterruptedException {
        Set<String> ids = java.util.Collections.synchronizedSet(new HashSet<>());
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 25_000; i++) ids.add(HttpDispatcher.newRequestId());
            });
            threads[t].start();
        }
        for (Thread thread : threads) thread.join();

        assertThat(ids).hasSize(100_000);
    }
}
