package dev.junction.provider.stripe;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A form-encoded request body ({@code application/x-www-form-urlencoded}), Stripe's write format. Not thread-safe. */
final class Form {

    static final String CONTENT_TYPE = "application/x-www-form-urlencoded";
    private final List<String[]> pairs = new ArrayList<>();

    Form add(String name, String value) {
        if (value != null) {
            pairs.add(new String[] {name, value});
        }
        return this;
    }

    byte[] bytes() {
        StringBuilder out = new StringBuilder();
        for (String[] pair : pairs) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(URLEncoder.encode(pair[0], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pair[1], StandardCharsets.UTF_8));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
