package dev.junction.provider.stripe;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe's webhook signature, exactly as Stripe defines and stripe-java checks it ([STRIPE-JAVA]
 * {@code com.stripe.net.Webhook.Signature}):
 * <ul>
 *   <li>header {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]} (other schemes such as {@code v0}
 *       are ignored; several {@code v1} appear while a secret is being rolled);</li>
 *   <li>expected = lowercase hex of HMAC-SHA256 keyed with the <em>whole</em> {@code whsec_...} string as UTF-8 (not
 *       base64-decoded) over {@code "<t>." + raw body bytes};</li>
 *   <li>accepted when any {@code v1} equals it, compared in constant time;</li>
 *   <li>then rejected when {@code t} is older than {@code now - tolerance} (default 300 s); a timestamp in the
 *       future is accepted, and a tolerance of zero or less turns the check off, as in stripe-java.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class StripeSignature {

    public static final String HEADER = "Stripe-Signature";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
    private static final String SCHEME = "v1";

    private StripeSignature() {
    }

    /**
     * Checks {@code header} over {@code body} against each of {@code secrets}.
     *
     * @param now the time the request was received (injectable for tests)
     * @throws JunctionException {@code WEBHOOK_REJECTED} naming what failed (never a secret)
     */
    public static void verify(byte[] body, String header, List<String> secrets, Instant now, Duration tolerance) {
        if (header == null || header.isBlank()) {
            throw rejected("missing " + HEADER + " header");
        }
        long timestamp = -1;
        List<String> signatures = new ArrayList<>();
        for (String item : header.split(",")) {
            String[] pair = item.strip().split("=", 2);
            if (pair.length != 2) {
                continue;
            }
            if (pair[0].equals("t") && timestamp < 0) {
                try {
                    timestamp = Long.parseLong(pair[1]);
                } catch (NumberFormatException e) {
                    throw rejected("timestamp in " + HEADER + " is not a number");
                }
            } else if (pair[0].equals(SCHEME)) {
                signatures.add(pair[1]);
            }
        }
        if (timestamp < 0 || signatures.isEmpty()) {
            throw rejected("unable to extract timestamp and signatures from " + HEADER);
        }
        if (secrets.isEmpty()) {
            throw rejected("no signing secret is known for this connection (register webhooks or set '"
                    + StripeProvider.WEBHOOK_SECRET + "')");
        }
        boolean matched = false;
        for (String secret : secrets) {
            byte[] expected = compute(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
            for (String signature : signatures) {
                // Every comparison runs, so timing does not tell which secret or signature matched.
                matched |= MessageDigest.isEqual(expected, signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!matched) {
            throw rejected("no signatures found matching the expected signature for the payload");
        }
        if (!tolerance.isNegative() && !tolerance.isZero()
                && timestamp < now.getEpochSecond() - tolerance.getSeconds()) {
            throw rejected("timestamp outside the tolerance zone (" + tolerance.getSeconds() + " s)");
        }
    }

    /** The lowercase hex HMAC-SHA256 of {@code "<timestamp>." + body}, keyed with the UTF-8 bytes of {@code secret}. */
    public static String compute(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException | IllegalArgumentException e) {
            throw rejected("webhook secret cannot key an HMAC");
        }
    }

    /** A header value for {@code body} signed now: {@code t=<timestamp>,v1=<hex>} (the sandbox's and tests' signer). */
    public static String header(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + "," + SCHEME + "=" + compute(secret, timestamp, body);
    }

    static JunctionException rejected(String reason) {
        return new JunctionException(ErrorKind.WEBHOOK_REJECTED, "Stripe webhook rejected: " + reason,
                ErrorContext.provider(StripeProvider.ID));
    }
}
