package dev.junction.sandbox;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the signature headers of one webhook delivery from its exact body bytes. Each provider
 * chooses its header names and algorithm.
 *
 * <pre>{@code
 * WebhookSigner clio = WebhookSigner.hmacSha256Hex("X-Hook-Signature", sharedSecret);
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface WebhookSigner {

    /** Returns the headers to add to a delivery whose body is exactly {@code body}. */
    Map<String, String> sign(byte[] body);

    /** A signer that adds nothing, for providers whose webhooks are unsigned. */
    static WebhookSigner none() {
        return body -> Map.of();
    }

    /** A signer that puts the lowercase hex HMAC-SHA256 of the body, keyed by {@code key}, in {@code headerName}. */
    static WebhookSigner hmacSha256Hex(String headerName, byte[] key) {
        Objects.requireNonNull(headerName, "headerName");
        byte[] keyCopy = key.clone();
        return body -> Map.of(headerName, hmacSha256Hex(keyCopy, body));
    }

    /** The lowercase hex HMAC-SHA256 of {@code message} keyed by {@code key}. */
    static String hmacSha256Hex(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (NoSuchAlgorithmException | InvalidKeyException impossible) {
            throw new IllegalStateException("HmacSHA256 is unavailable", impossible);
        }
    }
}
