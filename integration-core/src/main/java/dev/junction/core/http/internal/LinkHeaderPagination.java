package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PaginationStrategy;
import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;

/** RFC 8288 {@code Link: <url>; rel="next"}. See {@link dev.junction.core.http.Pagination#linkHeader}. */
public enum LinkHeaderPagination implements PaginationStrategy {
    INSTANCE;

    @Override
    public HttpCall request(HttpCall firstPage, Optional<String> cursor) {
        return cursor.map(url -> firstPage.withPathOrUrl(url).withoutQuery()).orElse(firstPage);
    }

    @Override
    public Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body) {
        for (String header : result.headerValues("Link")) {
            Optional<String> next = nextTarget(header);
            if (next.isPresent()) {
                return Optional.of(absolute(next.get(), sent));
            }
        }
        return Optional.empty();
    }

    /** The target of the first link whose {@code rel} includes {@code next}; one header may hold several links. */
    static Optional<String> nextTarget(String header) {
        int position = 0;
        while (true) {
            int open = header.indexOf('<', position);
            int close = header.indexOf('>', open + 1);
            if (open < 0 || close < 0) {
                return Optional.empty();
            }
            String target = header.substring(open + 1, close).trim();
            // The link's parameters run to the next link, which starts with '<' after a comma.
            int nextLink = header.indexOf('<', close + 1);
            String parameters = header.substring(close + 1, nextLink < 0 ? header.length() : nextLink);
            if (relIncludesNext(parameters)) {
                return Optional.of(target);
            }
            if (nextLink < 0) {
                return Optional.empty();
            }
            position = nextLink;
        }
    }

    private static boolean relIncludesNext(String parameters) {
        for (String parameter : parameters.split(";")) {
            String[] nameAndValue = parameter.split("=", 2);
            if (nameAndValue.length == 2 && nameAndValue[0].trim().equalsIgnoreCase("rel")) {
                String value = nameAndValue[1].trim().replaceAll("[\",]", " ").toLowerCase(Locale.ROOT);
                for (String relation : value.trim().split("\\s+")) {
                    if (relation.equals("next")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A relative target is resolved against the request's URL, which is only known when that was absolute. */
    private static String absolute(String target, HttpCall sent) {
        if (HttpUrl.parse(target) != null) {
            return target;
        }
        HttpUrl request = HttpUrl.parse(sent.pathOrUrl());
        HttpUrl resolved = request == null ? null : request.resolve(target);
        if (resolved == null) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                    "the Link header's next target is relative to a URL that is not known here: " + Redaction.urlText(target));
        }
        return resolved.toString();
    }
}
