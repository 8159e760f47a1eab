package dev.junction.core;

/** Where to send the user to authorise a connection, and the one-time {@code state} that comes back. */
public record OAuthStart(String connectionId, String authorizeUrl, String state) {}
