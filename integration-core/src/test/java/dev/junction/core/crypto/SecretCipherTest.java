package dev.junction.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** AES-GCM sealing of secrets; each thread reuses one Cipher, so uses must not leak state into the next. */
class SecretCipherTest {

    private final SecretCipher cipher = SecretCipher.single("k1", SecretCipher.generateKey());

    @Test
    void aSealedValueOpensOnlyWithItsAssociatedData() {
        String sealed = cipher.encrypt("value-1", "tenant/connection/webhook:1");

        assertThat(sealed).startsWith("v1:k1:");
        assertThat(cipher.decrypt(sealed, "tenant/connection/webhook:1")).isEqualTo("value-1");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "tenant/connection/webhook:2")).isInstanceOfSatisfying(JunctionException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT));
    }

    @Test
    void aFailedDecryptionLeavesTheThreadsCipherUsable() {
        String sealed = cipher.encrypt("value-1", "aad-1");
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");

        assertThatThrownBy(() -> cipher.decrypt(tampered, "aad-1")).isInstanceOf(JunctionException.class);
        assertThatThrownBy(() -> cipher.decrypt(sealed, "aad-2")).isInstanceOf(JunctionException.class);

        assertThat(cipher.decrypt(sealed, "aad-1")).isEqualTo("value-1");
        assertThat(cipher.decrypt(cipher.encrypt("value-2", "aad-2"), "aad-2")).isEqualTo("value-2");
    }

    @Test
    void repeatedEncryptionsOfOneValueUseFreshNoncesAndAllOpen() {
        String first = cipher.encrypt("same", "aad");
        String second = cipher.encrypt("same", "aad");

        assertThat(first).isNotEqualTo(second);
        assertThat(cipher.decrypt(first, "aad")).isEqualTo("same");
        assertThat(cipher.decrypt(second, "aad")).isEqualTo("same");
    }

    @Test
    void manyThreadsSealAndOpenAtOnceWithoutMixingValues() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String value = "secret-" + thread + "-" + i;
                        String aad = "tenant-" + thread + "/connection/" + i;
                        if (!cipher.decrypt(cipher.encrypt(value, aad), aad).equals(value)) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
