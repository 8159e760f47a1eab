package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Action;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed writes to Ascora, each checking its whole input before any request is sent ({@code INVALID_INPUT} names
 * the field):
 * <ul>
 *   <li>{@value #CREATE_CUSTOMER}: {@code POST /Customers/Customer} without {@code customerId}; needs a
 *       {@code companyName} or a contact first or last name; {@code emailAddress} must look like an address;</li>
 *   <li>{@value #CREATE_JOB}: {@code POST /Jobs/Job}; {@code siteCustomer.id} required, {@code pricingMethod}
 *       {@code FIXED-PRICE} or {@code TIME-AND-MATERIALS} when given; retried safely with the action's
 *       idempotency key (see {@link AscoraConnector#push});</li>
 *   <li>{@value #RECORD_PAYMENT}: {@code POST /Accounting/CreatePayment}; {@code invoiceNumber},
 *       {@code paymentAmount} (positive, excluding surcharge), {@code paymentDate} ({@code yyyy-MM-dd}) and
 *       {@code paymentMethod} (the name of an Ascora payment method) required.</li>
 * </ul>
 * Ascora's {@code success:false} answers become {@code INVALID_REQUEST} with Ascora's message. Thread-safe.
 */
public final class AscoraActions {

    public static final String CREATE_CUSTOMER = "create_customer";
    public static final String CREATE_JOB = "create_job";
    public static final String RECORD_PAYMENT = "record_payment";

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Set<String> PRICING = Set.of("FIXED-PRICE", "TIME-AND-MATERIALS");

    private AscoraActions() {
    }

    static List<Action> all() {
        return List.of(
                action(CREATE_CUSTOMER, "Creates an Ascora customer", (context) -> {
                    ObjectNode input = object(context.input());
                    boolean named = !optional(input, "companyName").isBlank() || !optional(input, "contactFirstName").isBlank()
                            || !optional(input, "contactLastName").isBlank();
                    if (!named) {
                        throw AscoraProvider.invalid("create_customer needs 'companyName' or a contact first or last name");
                    }
                    String email = optional(input, "emailAddress");
                    if (!email.isBlank() && !EMAIL.matcher(email).matches()) {
                        throw AscoraProvider.invalid("create_customer: 'emailAddress' is not an e-mail address");
                    }
                    ObjectNode body = input.deepCopy();
                    body.remove("customerId");
                    ProviderHttpClient http = AscoraConnector.httpClient(context.connection());
                    JsonNode answer = http.executeJson(AscoraConnector.post("/Customers/Customer", body).withEntity("customers"));
                    AscoraConnector.checkSuccess(answer, "customers");
                    return answer.path("customer");
                }),
                action(CREATE_JOB, "Creates an Ascora job for a customer", (context) -> {
                    ObjectNode input = object(context.input());
                    if (input.path("siteCustomer").path("id").asText("").isBlank()) {
                        throw AscoraProvider.invalid("create_job needs 'siteCustomer.id'");
                    }
                    String pricing = optional(input, "pricingMethod");
                    if (!pricing.isBlank() && !PRICING.contains(pricing)) {
                        throw AscoraProvider.invalid("create_job: 'pricingMethod' must be one of " + PRICING);
                    }
                    AscoraConnector connector = new AscoraConnector(context.connection());
                    return connector.createJob(input.deepCopy(), context.idempotencyKey()).payload();
                }),
                action(RECORD_PAYMENT, "Records a payment against an Ascora invoice", (context) -> {
                    ObjectNode input = object(context.input());
                    require(input, "invoiceNumber");
                    require(input, "paymentMethod");
                    JsonNode amount = input.get("paymentAmount");
                    if (amount == null || !amount.isNumber() || amount.decimalValue().compareTo(BigDecimal.ZERO) <= 0) {
                        throw AscoraProvider.invalid("record_payment: 'paymentAmount' must be a positive number");
                    }
                    try {
                        LocalDate.parse(require(input, "paymentDate"));
                    } catch (DateTimeParseException e) {
                        throw AscoraProvider.invalid("record_payment: 'paymentDate' must be a date (yyyy-MM-dd)");
                    }
                    JsonNode surcharge = input.get("surchargeAmount");
                    if (surcharge != null && !surcharge.isNull() && (!surcharge.isNumber() || surcharge.decimalValue().signum() < 0)) {
                        throw AscoraProvider.invalid("record_payment: 'surchargeAmount' must be a number, not negative");
                    }
                    ProviderHttpClient http = AscoraConnector.httpClient(context.connection());
                    JsonNode answer = http.executeJson(AscoraConnector.post("/Accounting/CreatePayment", input).withEntity("payments"));
                    AscoraConnector.checkSuccess(answer, "payments");
                    return answer;
                }));
    }

    private static ObjectNode object(JsonNode input) {
        if (input == null || !input.isObject()) {
            throw AscoraProvider.invalid("action input must be a JSON object");
        }
        return (ObjectNode) input;
    }

    private static String optional(JsonNode input, String field) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw AscoraProvider.invalid("'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static String require(JsonNode input, String field) {
        String value = optional(input, field);
        if (value.isBlank()) {
            throw AscoraProvider.invalid("'" + field + "' is required");
        }
        return value;
    }

    private static Action action(String name, String description, Function<Action.ActionContext, JsonNode> body) {
        return new Action() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public JsonNode execute(ActionContext context) {
                return body.apply(context);
            }
        };
    }
}
