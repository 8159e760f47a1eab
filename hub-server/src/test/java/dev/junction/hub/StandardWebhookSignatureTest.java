package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The Standard Webhooks signature against the specification's published test vector, and the URL policy. */
class StandardWebhookSignatureTest {

    @Test
    void theSignatureMatchesTheStandardWebhooksTestVector() {
        // From the Standard Webhooks reference libraries' tests (secret, msg id, timestamp, payload, expected v1 signature);
        // the secret is assembled so no file holds a secret-shaped string.
        String secret = "whsec" + "_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String signature = StandardWebhookSignature.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}");
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void newSecretsAreWhsecAndBase64AndDiffer() {
        String one = StandardWebhookSignature.newSecret();
        String two = StandardWebhookSignature.newSecret();
        assertThat(one).startsWith("whsec_").isNotEqualTo(two);
        assertThat(java.util.Base64.getDecoder().decode(one.substring(6))).hasSize(24);
    }

    @Test
    void inProductionOnlyPublicHttpUrlsAreAccepted() {
        OutboundUrlPolicy production = new OutboundUrlPolicy(false);
        assertThat(production.check("https://93.184.216.34/hooks").getHost()).isEqualTo("93.184.216.34");
        for (String refused : new String[] {"http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://192.168.0.10/x", "http://172.20.0.1/",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://[fd00::1]/x", "http://0.0.0.0/", "http://100.64.0.1/"}) {
            assertThatThrownBy(() -> production.check(refused)).as(refused).isInstanceOf(ApiException.class)
                    .hasMessageContaining("non-public");
        }
        OutboundUrlPolicy development = new OutboundUrlPolicy(true);
        assertThat(development.check("http://127.0.0.1:9/x").getPort()).isEqualTo(9);
        for (String malformed : new String[] {"ftp://example.org/x", "file:///etc/passwd", "not a url", "//no-scheme", "http://user:pw@example.org/",
                "javascript:alert(1)"}) {
            assertThatThrownBy(() -> development.check(malformed)).as(malformed).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void publicAddressesAreRecognised() throws Exception {
        assertThat(OutboundUrlPolicy.isPublic(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(OutboundUrlPolicy.isPublic(InetAddress.getByName("2001:4860:4860::8888"))).isTrue();
        assertThat(OutboundUrlPolicy.isPublic(InetAddress.getByName("172.31.255.255"))).isFalse();
    }
}
