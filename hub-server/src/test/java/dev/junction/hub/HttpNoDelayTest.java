package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * hub-server turns on TCP_NODELAY for the JDK HTTP server (without it every keep-alive answer waited for the
 * client's delayed ACK), but leaves an operator's own choice alone.
 */
class HttpNoDelayTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(HubServer.NO_DELAY_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(HubServer.NO_DELAY_PROPERTY);
        } else {
            System.setProperty(HubServer.NO_DELAY_PROPERTY, before);
        }
    }

    @Test
    void noDelayIsTurnedOnWhenNobodyChose() {
        System.clearProperty(HubServer.NO_DELAY_PROPERTY);

        HubServer.preferNoDelay();

        assertThat(System.getProperty(HubServer.NO_DELAY_PROPERTY)).isEqualTo("true");
    }

    @Test
    void anOperatorsChoiceIsKept() {
        System.setProperty(HubServer.NO_DELAY_PROPERTY, "false");

        HubServer.preferNoDelay();

        assertThat(System.getProperty(HubServer.NO_DELAY_PROPERTY)).isEqualTo("false");
    }
}
