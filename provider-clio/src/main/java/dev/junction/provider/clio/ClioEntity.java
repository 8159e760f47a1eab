package dev.junction.provider.clio;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Clio entities Junction syncs, in dependency order, with the {@code fields} each asks for. Clio returns only
 * {@code id} and {@code etag} unless fields are named, and nested resources give only their default fields
 * ([CLIO-FIELDS]). Entities Clio webhooks can watch carry their webhook {@code model} name ([CLIO-SPEC Webhooks],
 * "Supported Models").
 */
public enum ClioEntity {
    USERS("users", null, "id,etag,name,first_name,last_name,email,enabled,subscription_type,roles,rate,time_zone,created_at,updated_at"),
    CUSTOM_FIELDS("custom_fields", null, "id,etag,name,parent_type,field_type,displayed,deleted,created_at,updated_at"),
    CONTACTS("contacts", "contact", "id,etag,name,first_name,middle_name,last_name,type,title,prefix,primary_email_address,"
            + "primary_phone_number,is_client,email_addresses,phone_numbers,addresses,custom_field_values{id,value,field_name,custom_field},created_at,updated_at"),
    MATTERS("matters", "matter", "id,etag,number,display_number,custom_number,description,status,billable,billing_method,open_date,"
            + "close_date,pending_date,client,responsible_attorney,custom_field_values{id,value,field_name,custom_field},created_at,updated_at",
            "contacts", "users"),
    TASKS("tasks", "task", "id,etag,name,description,status,priority,due_at,completed_at,matter,assignee,created_at,updated_at",
            "matters", "users"),
    ACTIVITIES("activities", "activity", "id,etag,type,date,quantity,quantity_in_hours,price,total,note,billed,non_billable,matter,user,"
            + "created_at,updated_at", "matters", "users"),
    CALENDAR_ENTRIES("calendar_entries", "calendar_entry", "id,etag,summary,description,start_at,end_at,all_day,location,recurrence_rule,"
            + "matter,created_at,updated_at", "matters"),
    BILLS("bills", "bill", "id,etag,number,state,type,issued_at,due_at,total,balance,paid,client,matters,created_at,updated_at",
            "contacts", "matters"),
    CUSTOM_ACTIONS("custom_actions", null, "id,etag,label,target_url,ui_reference,created_at,updated_at");

    private final String apiName;
    private final String webhookModel;
    private final String fields;
    private final EntityType type;

    ClioEntity(String apiName, String webhookModel, String fields, String... dependsOn) {
        this.apiName = apiName;
        this.webhookModel = webhookModel;
        this.fields = fields;
        this.type = EntityType.of(apiName, dependsOn);
    }

    public String apiName() {
        return apiName;
    }

    /** The webhook {@code model} that watches this entity ({@code calendar_entry}); empty when webhooks cannot. */
    public Optional<String> webhookModel() {
        return Optional.ofNullable(webhookModel);
    }

    /** The entities Clio webhooks can watch, in dependency order. */
    public static List<ClioEntity> watchable() {
        return Arrays.stream(values()).filter(entity -> entity.webhookModel != null).toList();
    }

    public String fields() {
        return fields;
    }

    public EntityType type() {
        return type;
    }

    public static List<EntityType> types() {
        return Arrays.stream(values()).map(ClioEntity::type).toList();
    }

    /** Looked up for every record a transformer reads: a map, not a scan of {@code values()} through a stream. */
    private static final Map<String, ClioEntity> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(entity -> entity.apiName, entity -> entity, (first, later) -> first));

    public static Optional<ClioEntity> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
