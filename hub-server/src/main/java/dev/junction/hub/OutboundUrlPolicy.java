package dev.junction.hub;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs outbound webhooks may be sent to: http or https with a host, no user info. Unless private addresses are
 * allowed (development mode, or {@code outbound.allow-private-urls=true}), every address the host resolves to must be
 * public: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, carrier-grade NAT (100.64/10),
 * wildcard and multicast addresses are refused, so a tenant cannot make the server call into its own network. The
 * check runs when an endpoint is saved and again before each delivery (a host may resolve differently later).
 *
 * <p>Immutable and thread-safe.
 */
final class OutboundUrlPolicy {

    private final boolean allowPrivate;

    OutboundUrlPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL when acceptable; otherwise an {@link ApiException} (422) saying why. */
    URI check(String raw) {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("field 'url' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalid("field 'url' must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ApiException.invalid("field 'url' must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid("field 'url' must not carry user info; put credentials in the endpoint's own checks of the signature");
        }
        if (!allowPrivate) {
            String host = uri.getHost();
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            } catch (UnknownHostException e) {
                throw ApiException.invalid("the host of field 'url' cannot be resolved");
            }
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw ApiException.invalid("field 'url' resolves to a loopback, private or otherwise non-public address, "
                            + "which this server does not call (JUNCTION_OUTBOUND_ALLOW_PRIVATE_URLS=true allows it)");
                }
            }
        }
        return uri;
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) != 0xfc; // fc00::/7, unique local
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return !(first == 0 || (first == 100 && second >= 64 && second <= 127) || (first == 198 && (second == 18 || second == 19))
                || first >= 240);
    }
}
