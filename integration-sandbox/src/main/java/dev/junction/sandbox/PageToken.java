package dev.junction.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * An opaque cursor for id-ordered paging: it remembers the last id of the previous page.
 *
 * <p>Encoded as URL-safe Base64 so clients treat it as opaque, as real APIs intend.
 *
 * @param afterId the last id already returned; the next page starts after it
 */
public record PageToken(long afterId) {

    private static final String PREFIX = "after:";

    /** Checks the id is not negative. */
    public PageToken {
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must not be negative: " + afterId);
        }
    }

    /** Encodes the token for a URL. */
    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + afterId).getBytes(StandardCharsets.US_ASCII));
    }

    /** Decodes a token made by {@link #encode()}; empty when it is not one. */
    public static Optional<PageToken> decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            if (!text.startsWith(PREFIX)) {
                return Optional.empty();
            }
            return Optional.of(new PageToken(Long.parseLong(text.substring(PREFIX.length()))));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
