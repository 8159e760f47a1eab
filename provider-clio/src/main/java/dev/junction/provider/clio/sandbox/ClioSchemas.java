package dev.junction.provider.clio.sandbox;

/**
 * The fields the sandbox serves for each Clio resource: a subset of the {@code *_base} schemas of
 * Clio's API v4 OpenAPI document (docs.developers.clio.com/api-reference), plus the nested
 * resources the sandbox generates. Nested resources keep only their core fields, so a contact
 * weighs about a kilobyte. Every generated record has exactly these fields.
 */
final class ClioSchemas {

    /** A contact nested in another record, such as a matter's {@code client}. */
    static final FieldSchema CONTACT_REFERENCE = FieldSchema.builder()
            .values("id", "name", "first_name", "last_name", "type")
            .build();

    /** A user nested in another record, such as an activity's {@code user}. */
    static final FieldSchema USER_REFERENCE = FieldSchema.builder()
            .values("id", "name", "email")
            .build();

    /** A matter nested in another record, such as a task's {@code matter}. */
    static final FieldSchema MATTER_REFERENCE = FieldSchema.builder()
            .values("id", "display_number", "description", "status")
            .build();

    /** The custom field a custom field value belongs to. */
    static final FieldSchema CUSTOM_FIELD_REFERENCE = FieldSchema.builder()
            .values("id")
            .build();

    static final FieldSchema EMAIL_ADDRESS = FieldSchema.builder()
            .values("id", "address", "name", "primary")
            .build();

    static final FieldSchema PHONE_NUMBER = FieldSchema.builder()
            .values("id", "number", "name", "primary")
            .build();

    static final FieldSchema ADDRESS = FieldSchema.builder()
            .values("id", "street", "city", "province", "postal_code", "country", "name", "primary")
            .build();

    static final FieldSchema CUSTOM_FIELD_VALUE = FieldSchema.builder()
            .values("id", "etag", "field_name", "field_type", "value", "soft_deleted")
            .nested("custom_field", CUSTOM_FIELD_REFERENCE)
            .build();

    static final FieldSchema CONTACT = FieldSchema.builder()
            .values("id", "etag", "name", "first_name", "middle_name", "last_name", "prefix", "title", "initials",
                    "type", "date_of_birth", "created_at", "updated_at", "primary_email_address",
                    "secondary_email_address", "primary_phone_number", "secondary_phone_number", "is_client",
                    "is_co_counsel", "clio_connect_email", "ledes_client_id", "sales_tax_number")
            .nested("email_addresses", EMAIL_ADDRESS)
            .nested("phone_numbers", PHONE_NUMBER)
            .nested("addresses", ADDRESS)
            .nested("custom_field_values", CUSTOM_FIELD_VALUE)
            .build();

    static final FieldSchema MATTER = FieldSchema.builder()
            .values("id", "etag", "number", "display_number", "custom_number", "description", "status", "location",
                    "client_reference", "billable", "billing_method", "open_date", "close_date", "pending_date",
                    "created_at", "updated_at")
            .nested("client", CONTACT_REFERENCE)
            .nested("responsible_attorney", USER_REFERENCE)
            .nested("custom_field_values", CUSTOM_FIELD_VALUE)
            .build();

    static final FieldSchema TASK = FieldSchema.builder()
            .values("id", "etag", "name", "status", "description", "priority", "due_at", "completed_at",
                    "created_at", "updated_at")
            .nested("matter", MATTER_REFERENCE)
            .nested("assignee", USER_REFERENCE)
            .build();

    static final FieldSchema ACTIVITY = FieldSchema.builder()
            .values("id", "etag", "type", "date", "quantity", "quantity_in_hours", "price", "total", "note", "billed",
                    "on_bill", "non_billable", "flat_rate", "created_at", "updated_at")
            .nested("matter", MATTER_REFERENCE)
            .nested("user", USER_REFERENCE)
            .build();

    static final FieldSchema CALENDAR_ENTRY = FieldSchema.builder()
            .values("id", "etag", "summary", "description", "location", "start_at", "end_at", "all_day",
                    "recurrence_rule", "parent_calendar_entry_id", "court_rule", "calendar_owner_id", "created_at",
                    "updated_at")
            .nested("matter", MATTER_REFERENCE)
            .build();

    static final FieldSchema BILL = FieldSchema.builder()
            .values("id", "etag", "number", "issued_at", "due_at", "subject", "type", "kind", "state", "sub_total",
                    "tax_sum", "total", "paid", "balance", "created_at", "updated_at")
            .nested("client", CONTACT_REFERENCE)
            .nested("matters", MATTER_REFERENCE)
            .build();

    static final FieldSchema USER = FieldSchema.builder()
            .values("id", "etag", "name", "first_name", "last_name", "initials", "email", "enabled",
                    "subscription_type", "roles", "rate", "time_zone", "phone_number", "account_owner", "created_at",
                    "updated_at")
            .build();

    static final FieldSchema CUSTOM_FIELD = FieldSchema.builder()
            .values("id", "etag", "name", "parent_type", "field_type", "displayed", "deleted", "required",
                    "display_order", "created_at", "updated_at")
            .build();

    static final FieldSchema CUSTOM_ACTION = FieldSchema.builder()
            .values("id", "etag", "label", "target_url", "ui_reference", "created_at", "updated_at")
            .build();

    static final FieldSchema WEBHOOK = FieldSchema.builder()
            .values("id", "etag", "url", "fields", "shared_secret", "model", "status", "events", "expires_at",
                    "created_at", "updated_at")
            .build();

    private ClioSchemas() {
    }
}
