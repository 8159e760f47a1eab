package dev.junction.provider.clio.sandbox;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Clio Manage API v4 resources the {@link ClioSandbox} simulates.
 *
 * <p>Each has a path under {@code /api/v4/}, a default record count for a new sandbox and, for the
 * models Clio webhooks support, the webhook model name and numeric id (from the "Supported Models"
 * table of Clio's Webhooks documentation).
 */
public enum ClioEntity {

    /** Firm users; {@code GET /users/who_am_i} returns the token's user. */
    USERS("users", null, 0, 5, "name", ClioSchemas.USER),
    /** People and companies. */
    CONTACTS("contacts", "contact", 6, 50, "name", ClioSchemas.CONTACT),
    /** Cases, each with a client contact. */
    MATTERS("matters", "matter", 1, 20, "display_number", ClioSchemas.MATTER),
    /** Work items, usually on a matter. */
    TASKS("tasks", "task", 7, 30, "name", ClioSchemas.TASK),
    /** Time entries (quantity in seconds) and expense entries. */
    ACTIVITIES("activities", "activity", 2, 40, "type", ClioSchemas.ACTIVITY),
    /** Appointments and deadlines; their ids are strings. */
    CALENDAR_ENTRIES("calendar_entries", "calendar_entry", 4, 20, "summary", ClioSchemas.CALENDAR_ENTRY),
    /** Invoices. */
    BILLS("bills", "bill", 3, 10, "number", ClioSchemas.BILL),
    /** Custom field definitions for contacts (odd ids) and matters (even ids). */
    CUSTOM_FIELDS("custom_fields", null, 0, 6, "name", ClioSchemas.CUSTOM_FIELD),
    /** Links an application adds to Clio's interface. */
    CUSTOM_ACTIONS("custom_actions", null, 0, 0, "label", ClioSchemas.CUSTOM_ACTION),
    /** Webhook subscriptions. */
    WEBHOOKS("webhooks", null, 0, 0, "url", ClioSchemas.WEBHOOK);

    private final String path;
    private final String webhookModel;
    private final int webhookModelId;
    private final long defaultCount;
    private final String labelField;
    private final FieldSchema schema;

    ClioEntity(String path, String webhookModel, int webhookModelId, long defaultCount, String labelField,
            FieldSchema schema) {
        this.path = path;
        this.webhookModel = webhookModel;
        this.webhookModelId = webhookModelId;
        this.defaultCount = defaultCount;
        this.labelField = labelField;
        this.schema = schema;
    }

    /** The path segment under {@code /api/v4/}, such as {@code calendar_entries}. */
    public String path() {
        return path;
    }

    /** The webhook model name, such as {@code calendar_entry}; empty when Clio webhooks do not cover it. */
    public Optional<String> webhookModel() {
        return Optional.ofNullable(webhookModel);
    }

    /** How many records a sandbox generates unless told otherwise. */
    public long defaultCount() {
        return defaultCount;
    }

    /** The entity a webhook {@code model} names, by string identifier or numeric id. */
    static Optional<ClioEntity> fromWebhookModel(String model) {
        return Arrays.stream(values())
                .filter(entity -> entity.webhookModel != null)
                .filter(entity -> entity.webhookModel.equals(model)
                        || Integer.toString(entity.webhookModelId).equals(model))
                .findFirst();
    }

    /** The field a corrupted record breaks, besides {@code updated_at}. */
    String labelField() {
        return labelField;
    }

    FieldSchema schema() {
        return schema;
    }
}
