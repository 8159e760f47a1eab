package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.function.Supplier;

/** Stubs that answer successive requests differently. */
final class ProviderStubs {

    private ProviderStubs() {
    }

    /** Successive GETs of {@code path} get {@code responses} in order, each once; later ones find no stub. */
    static void inSequence(WireMockExtension provider, String path, ResponseDefinitionBuilder... responses) {
        inSequence(provider, () -> get(urlPathEqualTo(path)), path, responses);
    }

    /** Successive requests matching {@code request} get {@code responses} in order, each once. */
    static void inSequence(WireMockExtension provider, Supplier<MappingBuilder> request, String scenario,
                           ResponseDefinitionBuilder... responses) {
        for (int index = 0; index < responses.length; index++) {
            provider.stubFor(request.get().inScenario(scenario)
                    .whenScenarioStateIs(index == 0 ? STARTED : "response " + index)
                    .willSetStateTo("response " + (index + 1))
                    .willReturn(responses[index]));
        }
    }
}
