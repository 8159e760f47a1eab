package dev.junction.provider.cliniko.sandbox;

import java.util.Arrays;
import java.util.Optional;

/** The Cliniko resources the sandbox serves, by their path under {@code /v1}. */
public enum SandboxEntity {
    BUSINESSES("businesses"),
    PRACTITIONERS("practitioners"),
    APPOINTMENT_TYPES("appointment_types"),
    PATIENTS("patients"),
    INDIVIDUAL_APPOINTMENTS("individual_appointments"),
    INVOICES("invoices");

    private final String path;

    SandboxEntity(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    public static Optional<SandboxEntity> byPath(String path) {
        return Arrays.stream(values()).filter(entity -> entity.path.equals(path)).findFirst();
    }
}
