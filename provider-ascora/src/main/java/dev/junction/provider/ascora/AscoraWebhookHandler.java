package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookHandler;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads Ascora webhooks. Ascora signs nothing and names no event in the body: the body is the bare job, customer
 * or invoice ([ASC-PD] test events), so the record kind is told from its key field ({@code jobId} → job,
 * {@code invoiceId} → invoice, {@code customerId} alone → customer).
 *
 * <p>Trust: the request reached this handler only through the connection's unguessable webhook token in the URL
 * (checked by core). Nothing in the body is trusted as data: a job or customer event becomes a
 * {@link WebhookEvent.Kind#REFETCH} of its key, so core stores what Ascora's API returns, and a forged or altered
 * body can at most cause a harmless read. Invoice events become nothing: Ascora has no single-invoice endpoint,
 * and the accounting queue delivers the invoice on the next sync. A body that is not a JSON object with a
 * recognisable key is rejected ({@code WEBHOOK_REJECTED}).
 *
 * <p>Ascora sends no delivery id, so the dedupe key is the entity, key and the SHA-256 of the body: a redelivery of
 * the same body is dropped, a new state of the record is a new event. Stateless and thread-safe.
 */
final class AscoraWebhookHandler implements WebhookHandler {

    @Override
    public WebhookOutcome handle(WebhookRequest request, WebhookSecrets secrets) {
        JsonNode body;
        try {
            body = AscoraConnector.JSON.readTree(request.body());
        } catch (IOException e) {
            throw rejected("body is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw rejected("body is not a JSON object");
        }
        String entity;
        String key;
        if (body.hasNonNull("jobId")) {
            entity = "jobs";
            key = body.path("jobNumber").asText("");
        } else if (body.hasNonNull("invoiceId")) {
            return new WebhookOutcome.Events(List.of());
        } else if (body.hasNonNull("customerId")) {
            entity = "customers";
            key = body.path("customerId").asText("");
        } else {
            throw rejected("body is not an Ascora job, customer or invoice");
        }
        if (key.isBlank() || key.length() > 200) {
            throw rejected("the " + entity + " in the body has no usable key");
        }
        String dedupe = entity + ":" + key + ":" + sha256(request.body());
        return new WebhookOutcome.Events(List.of(new WebhookEvent(dedupe, entity, key, WebhookEvent.Kind.REFETCH, null)));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JunctionException rejected(String reason) {
        return new JunctionException(ErrorKind.WEBHOOK_REJECTED, "Ascora webhook rejected: " + reason,
                AscoraConnector.context(null));
    }
}
