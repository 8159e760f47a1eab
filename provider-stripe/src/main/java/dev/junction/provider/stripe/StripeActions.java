package dev.junction.provider.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.spi.Action;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Stripe's typed writes. Core runs each once per idempotency key and stores its result; each request also carries
 * Stripe's own {@code Idempotency-Key}, derived from the connection, the action and core's key, so a retry by the
 * HTTP stack (5xx, timeout) or a repeat after a lost answer is answered by Stripe with the first result instead of
 * creating a second object ([STRIPE-DOCS] https://docs.stripe.com/api/idempotent_requests). Every input is
 * checked before any request; unknown fields are {@code INVALID_INPUT}.
 *
 * <ul>
 *   <li>{@code create_customer} {@code {"email"?, "name"?, "phone"?, "description"?, "metadata"?: {..}}}: the
 *       created customer.</li>
 *   <li>{@code create_subscription} {@code {"customer", "price", "quantity"?, "trial_period_days"?}}: the created
 *       subscription ({@code status} {@code trialing} with a trial, else {@code active}).</li>
 *   <li>{@code cancel_subscription} {@code {"id"}}: {@code DELETE /v1/subscriptions/<id>}, the canceled
 *       subscription.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class StripeActions {

    public static final String CREATE_CUSTOMER = "create_customer";
    public static final String CREATE_SUBSCRIPTION = "create_subscription";
    public static final String CANCEL_SUBSCRIPTION = "cancel_subscription";

    private StripeActions() {
    }

    public static List<Action> all() {
        return List.of(
                action(CREATE_CUSTOMER, "Creates a Stripe customer", StripeActions::createCustomer),
                action(CREATE_SUBSCRIPTION, "Subscribes a customer to a recurring price", StripeActions::createSubscription),
                action(CANCEL_SUBSCRIPTION, "Cancels a subscription at once", StripeActions::cancelSubscription));
    }

    private static JsonNode createCustomer(Action.ActionContext context) {
        JsonNode input = input(context, Set.of("email", "name", "phone", "description", "metadata"));
        Form form = new Form();
        for (String field : List.of("email", "name", "phone", "description")) {
            form.add(field, optionalText(input, field));
        }
        JsonNode metadata = input.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw JunctionException.invalidInput("metadata must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isValueNode()) {
                    throw JunctionException.invalidInput("metadata." + entry.getKey() + " must be a string");
                }
                form.add("metadata[" + entry.getKey() + "]", entry.getValue().asText());
            }
        }
        return post(context, CREATE_CUSTOMER, "customers", form, StripeEntity.CUSTOMERS);
    }

    private static JsonNode createSubscription(Action.ActionContext context) {
        JsonNode input = input(context, Set.of("customer", "price", "quantity", "trial_period_days"));
        String customer = id(input, "customer", "cus_");
        String price = id(input, "price", "price_");
        Form form = new Form().add("customer", customer).add("items[0][price]", price);
        JsonNode quantity = input.get("quantity");
        if (quantity != null) {
            if (!quantity.canConvertToInt() || !quantity.isIntegralNumber() || quantity.intValue() < 1) {
                throw JunctionException.invalidInput("quantity must be a positive integer");
            }
            form.add("items[0][quantity]", Integer.toString(quantity.intValue()));
        }
        JsonNode trial = input.get("trial_period_days");
        if (trial != null) {
            if (!trial.isIntegralNumber() || trial.intValue() < 1 || trial.intValue() > 730) {
                throw JunctionException.invalidInput("trial_period_days must be an integer from 1 to 730");
            }
            form.add("trial_period_days", Integer.toString(trial.intValue()));
        }
        return post(context, CREATE_SUBSCRIPTION, "subscriptions", form, StripeEntity.SUBSCRIPTIONS);
    }

    private static JsonNode cancelSubscription(Action.ActionContext context) {
        JsonNode input = input(context, Set.of("id"));
        String id = id(input, "id", "sub_");
        return StripeConnector.httpClient(context.connection()).executeJson(HttpCall.delete("subscriptions/" + id)
                .withIdempotencyKey(stripeKey(context, CANCEL_SUBSCRIPTION)).withEntity(StripeEntity.SUBSCRIPTIONS.apiName()));
    }

    private static JsonNode post(Action.ActionContext context, String action, String path, Form form, StripeEntity entity) {
        return StripeConnector.httpClient(context.connection()).executeJson(HttpCall.post(path, Form.CONTENT_TYPE, form.bytes())
                .withIdempotencyKey(stripeKey(context, action)).withEntity(entity.apiName()));
    }

    /** Stripe's key for this execution: the same for every repeat of one core idempotency key on one connection. */
    static String stripeKey(Action.ActionContext context, String action) {
        return "junction-" + action + "-" + StripeWebhookSubscriptions.sha256(context.connection().connectionId() + "|"
                + action + "|" + context.idempotencyKey());
    }

    private static JsonNode input(Action.ActionContext context, Set<String> allowed) {
        JsonNode input = context.input();
        if (input == null || !input.isObject()) {
            throw JunctionException.invalidInput("input must be a JSON object");
        }
        input.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw JunctionException.invalidInput("unknown field '" + name + "'; allowed: " + allowed);
            }
        });
        return input;
    }

    private static String optionalText(JsonNode input, String field) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().length() > 5000) {
            throw JunctionException.invalidInput(field + " must be text");
        }
        return value.asText();
    }

    private static String id(JsonNode input, String field, String prefix) {
        JsonNode value = input.get(field);
        if (value == null || !value.isTextual() || !value.asText().startsWith(prefix)
                || !value.asText().matches("[A-Za-z0-9_]{1,255}")) {
            throw JunctionException.invalidInput(field + " must be a Stripe id starting with " + prefix);
        }
        return value.asText();
    }

    private static Action action(String name, String description, Function<Action.ActionContext, JsonNode> body) {
        return Action.of(name, description, body);
    }
}
