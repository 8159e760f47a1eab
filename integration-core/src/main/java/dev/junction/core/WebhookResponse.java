package dev.junction.core;

import java.util.Map;

/**
 * What to answer the provider's webhook request with.
 *
 * @param accepted how many new events were stored in the inbox (redeliveries count zero)
 */
public record WebhookResponse(int status, Map<String, String> headers, int accepted) {

    public WebhookResponse {
        headers = Map.copyOf(headers);
    }
}
