package dev.junction.provider.cliniko;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Cliniko API key and the shard it belongs to. Cliniko puts the shard after the key's last {@code -}
 * ({@code …-au2}); a key without a suffix belongs to {@code au1} ([CLINIKO-README], [CLINIKO-SHARD]). New shards
 * keep appearing ({@code au5}, {@code us1}), so the shard is checked by pattern, never against a fixed list.
 * {@link #toString()} never shows the key. Immutable and thread-safe.
 *
 * @param key the whole key, sent as the HTTP Basic user name
 * @param shard the shard, such as {@code au1}
 */
public record ClinikoApiKey(String key, String shard) {

    /** The default shard of keys without a suffix. */
    public static final String DEFAULT_SHARD = "au1";

    /** Two to four lower-case letters and one or two digits: {@code au1}, {@code uk2}, {@code ca1}. */
    private static final Pattern SHARD = Pattern.compile("[a-z]{2,4}[0-9]{1,2}");
    /** Printable ASCII without spaces or {@code :} (the Basic separator); Cliniko keys are base64 plus the suffix. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x39\\x3B-\\x7E]{8,512}");

    public ClinikoApiKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(shard, "shard");
    }

    /**
     * Parses and checks a key.
     *
     * @throws JunctionException {@code INVALID_INPUT} naming the setting when the key or its shard is malformed;
     *     the message never contains the key
     */
    public static ClinikoApiKey parse(String value) {
        if (value == null || value.isBlank()) {
            throw invalid("setting 'api_key' is required");
        }
        String key = value.trim();
        if (!KEY.matcher(key).matches()) {
            throw invalid("setting 'api_key' is not a Cliniko API key: it must be 8 to 512 printable characters"
                    + " without spaces or ':'");
        }
        int dash = key.lastIndexOf('-');
        if (dash < 0) {
            return new ClinikoApiKey(key, DEFAULT_SHARD);
        }
        String shard = key.substring(dash + 1);
        if (dash == 0 || !SHARD.matcher(shard).matches()) {
            throw invalid("setting 'api_key' ends with an invalid shard suffix (" + describe(shard) + "); Cliniko keys end"
                    + " with '-' and a shard of lower-case letters and digits such as 'au1' or 'uk2'");
        }
        return new ClinikoApiKey(key, shard);
    }

    /** The API root for this key's shard: {@code https://api.<shard>.cliniko.com/v1}. */
    public String apiBaseUrl() {
        return "https://api." + shard + ".cliniko.com/v1";
    }

    private static String describe(String shard) {
        // The suffix is not secret on its own, but a long one may be part of a mistyped key: show only its shape.
        return shard.isEmpty() ? "empty" : shard.length() > 8 ? shard.length() + " characters" : "'" + shard + "'";
    }

    private static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(ClinikoProvider.ID));
    }

    @Override
    public String toString() {
        return "ClinikoApiKey[key=***, shard=" + shard + "]";
    }
}
