package dev.junction.core.crypto;

import dev.junction.core.error.JunctionException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest with AES-256-GCM (an AEAD) under a key ring. Each ciphertext names the key that
 * sealed it ({@code v1:<keyId>:<base64(nonce || ciphertext+tag)>}), so keys rotate by adding a new primary key
 * and keeping the old ones for reading; {@link #needsReencryption} tells which stored values to re-seal.
 *
 * <p>Callers pass associated data binding a ciphertext to its row ({@code tenant/connection}), so a value
 * copied into another tenant's row fails to decrypt instead of leaking.
 *
 * <p>We use the JDK's AES-GCM rather than a crypto library: the primitive is standard, the framing is these
 * few lines, and it keeps the core free of a protobuf dependency. Thread-safe and immutable.
 */
public final class SecretCipher {

    private static final String PREFIX = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKeySpec> keys;
    private final String primaryKeyId;
    private final SecureRandom random = new SecureRandom();
    // Cipher.getInstance looks the provider up each time; a Cipher is not thread-safe but may be re-initialised, and
    // every use below initialises it afresh (key, nonce, mode), so one per thread is reused.
    private static final ThreadLocal<Cipher> AES_GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    });

    private SecretCipher(Map<String, SecretKeySpec> keys, String primaryKeyId) {
        this.keys = Map.copyOf(keys);
        this.primaryKeyId = primaryKeyId;
    }

    /**
     * A cipher whose primary key is {@code primaryKeyId}; {@code base64Keys} maps key ids to base64-encoded
     * 32-byte keys and must contain the primary.
     */
    public static SecretCipher of(String primaryKeyId, Map<String, String> base64Keys) {
        JunctionException.requireArgument(primaryKeyId, "primary key id");
        JunctionException.requireArgument(base64Keys, "encryption keys");
        Map<String, SecretKeySpec> decoded = new LinkedHashMap<>();
        base64Keys.forEach((id, encoded) -> {
            if (id == null || !id.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw JunctionException.invalidInput("encryption key id must be 1-32 letters, digits, '.', '_' or '-'");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(Objects.requireNonNullElse(encoded, "").trim());
            } catch (IllegalArgumentException e) {
                throw JunctionException.invalidInput("encryption key '" + id + "' is not valid base64");
            }
            if (bytes.length != 32) {
                throw JunctionException.invalidInput("encryption key '" + id + "' must be 32 bytes (256 bits), was " + bytes.length);
            }
            decoded.put(id, new SecretKeySpec(bytes, "AES"));
        });
        if (!decoded.containsKey(primaryKeyId)) {
            throw JunctionException.invalidInput("primary encryption key '" + primaryKeyId + "' is not among the keys");
        }
        return new SecretCipher(decoded, primaryKeyId);
    }

    /** A cipher with a single key. */
    public static SecretCipher single(String keyId, String base64Key) {
        return of(keyId, Map.of(keyId, base64Key));
    }

    /** A fresh random 256-bit key, base64-encoded. */
    public static String generateKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public String primaryKeyId() {
        return primaryKeyId;
    }

    public String encrypt(String plaintext, String associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = AES_GCM.get();
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(primaryKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + ":" + primaryKeyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Decrypts a value sealed by {@link #encrypt}.
     *
     * @throws JunctionException {@code INVALID_INPUT} when the value is malformed, names an unknown key, or
     *     fails authentication (tampered, or sealed for other associated data)
     */
    public String decrypt(String ciphertext, String associatedData) {
        String[] parts = ciphertext == null ? new String[0] : ciphertext.split(":", 3);
        if (parts.length != 3 || !PREFIX.equals(parts[0])) {
            throw JunctionException.invalidInput("stored secret is not in the expected format");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw JunctionException.invalidInput("stored secret was sealed with unknown key '" + parts[1] + "'");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            if (in.length < NONCE_BYTES + TAG_BITS / 8) {
                throw JunctionException.invalidInput("stored secret is truncated");
            }
            Cipher cipher = AES_GCM.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw JunctionException.invalidInput("stored secret failed authentication (tampered, or moved from another row)");
        } catch (IllegalArgumentException e) {
            throw JunctionException.invalidInput("stored secret is not valid base64");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** Whether a stored value was sealed with a key other than the primary and should be re-encrypted. */
    public boolean needsReencryption(String ciphertext) {
        String[] parts = ciphertext.split(":", 3);
        return parts.length != 3 || !primaryKeyId.equals(parts[1]);
    }

    @Override
    public String toString() {
        return "SecretCipher[primary=" + primaryKeyId + ", keys=" + keys.keySet() + "]";
    }
}
