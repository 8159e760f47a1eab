package dev.junction.core.error;

/**
 * The provider rejected the connection's credentials and refreshing cannot fix it (revoked token,
 * {@code invalid_grant}, wrong API key). The connection is marked as needing re-authorisation.
 */
public final class NeedsReauthException extends JunctionException {

    public NeedsReauthException(String message, ErrorContext context) {
        super(ErrorKind.NEEDS_REAUTH, message, context);
    }

    @Override
    protected JunctionException copyWith(ErrorContext merged) {
        NeedsReauthException copy = new NeedsReauthException(reason(), merged);
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
