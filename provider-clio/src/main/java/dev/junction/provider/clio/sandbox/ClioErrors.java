package dev.junction.provider.clio.sandbox;

import dev.junction.sandbox.RequestRejectedException;
import dev.junction.sandbox.SandboxResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clio's error body, {@code {"error": {"type": ..., "message": ...}}} (the {@code Error} schema of
 * the API v4 OpenAPI document). Clio documents the type only for the offset-paging cap ({@code
 * ArgumentError}); the other type names are the sandbox's choice.
 */
final class ClioErrors {

    static final String ARGUMENT_ERROR = "ArgumentError";
    static final String VALIDATION_ERROR = "ValidationError";

    private ClioErrors() {
    }

    static SandboxResponse response(int status, String type, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        return SandboxResponse.json(status, Map.of("error", error));
    }

    /** A {@code 400 Bad Request}: a parameter Clio cannot use. */
    static RequestRejectedException badRequest(String message) {
        return new RequestRejectedException(response(400, ARGUMENT_ERROR, message));
    }

    /** A {@code 422 Unprocessable Entity} of type {@code ArgumentError}, as for the offset cap. */
    static RequestRejectedException argumentError(String message) {
        return new RequestRejectedException(response(422, ARGUMENT_ERROR, message));
    }

    /** A {@code 422 Unprocessable Entity}: a record that fails validation. */
    static RequestRejectedException invalidRecord(String message) {
        return new RequestRejectedException(response(422, VALIDATION_ERROR, message));
    }

    /** A {@code 404 Not Found}. */
    static RequestRejectedException notFound(String message) {
        return new RequestRejectedException(response(404, "RecordNotFound", message));
    }

    /** A {@code 403 Forbidden}. */
    static RequestRejectedException forbidden(String message) {
        return new RequestRejectedException(response(403, "ForbiddenError", message));
    }
}
