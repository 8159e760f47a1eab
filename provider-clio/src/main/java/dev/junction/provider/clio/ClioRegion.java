package dev.junction.provider.clio;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Clio's data regions. A token issued in one region is not valid in another, so the region is part of the
 * connection's settings (providers.md, [CLIO-REG]).
 */
public enum ClioRegion {
    US("https://app.clio.com"),
    EU("https://eu.app.clio.com"),
    CA("https://ca.app.clio.com"),
    AU("https://au.app.clio.com");

    private final String host;

    ClioRegion(String host) {
        this.host = host;
    }

    /** The region's root URL (OAuth under {@code /oauth}, the API under {@code /api/v4}). */
    public String host() {
        return host;
    }

    public static ClioRegion parse(String value) {
        if (value == null) {
            return US;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "unknown Clio region '" + value + "'; expected one of "
                    + Arrays.stream(values()).map(region -> region.name().toLowerCase(Locale.ROOT)).toList(),
                    ErrorContext.provider(ClioProvider.ID));
        }
    }
}
