package dev.junction.core.http;

/**
 * How much the stack logs about each request, at SLF4J debug level. Bodies are never logged: they carry
 * personal data and, for token exchanges, credentials.
 */
public enum HttpLogLevel {
    /** Nothing. */
    NONE,
    /** One line per request: method, URL with secret query parameters redacted, status, time taken, request id. */
    SUMMARY,
    /** The summary plus request and response headers, with secret headers redacted. */
    HEADERS
}
