package dev.junction.core.error;

/** The standard error for an operation a provider does not declare (see {@code Capability}). */
public final class UnsupportedCapabilityException extends JunctionException {

    public UnsupportedCapabilityException(String provider, String capability) {
        super(ErrorKind.UNSUPPORTED, "provider '" + provider + "' does not support " + capability,
                ErrorContext.provider(provider));
    }
}
