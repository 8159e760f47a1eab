package dev.junction.provider.cliniko;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.regex.Pattern;

/**
 * The {@code User-Agent} Cliniko requires: {@code APP_VENDOR_NAME (APP_VENDOR_EMAIL)}. Requests without a name and
 * a valid contact e-mail "may be automatically blocked" ([CLINIKO-README]), so a value without both is refused
 * before any request is sent.
 */
public final class ClinikoUserAgent {

    private static final Pattern FORMAT = Pattern.compile(
            "\\s*(?<name>[^()]*\\S[^()]*?)\\s*\\(\\s*(?<email>[^\\s@()<>,;]+@[^\\s@()<>,;]+\\.[A-Za-z]{2,})\\s*\\)\\s*");

    private ClinikoUserAgent() {
    }

    /**
     * The checked value, trimmed.
     *
     * @throws JunctionException {@code INVALID_INPUT} when it is missing or not {@code Name (email@host)}
     */
    public static String check(String value) {
        if (value == null || value.isBlank()) {
            throw invalid("provider setting 'user_agent' is required: Cliniko asks for 'App name (contact@example.com)'");
        }
        if (!FORMAT.matcher(value).matches()) {
            throw invalid("provider setting 'user_agent' must be an app name followed by a contact e-mail in"
                    + " parentheses, such as 'Junction (ops@example.com)'; was '" + value + "'");
        }
        return value.trim();
    }

    private static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(ClinikoProvider.ID));
    }
}
