package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PaginationTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    private ProviderHttpClient client() {
        return http.client(HttpClientSpec.of("test", "connection-1", provider.baseUrl()));
    }

    /** The ids under {@code itemsPointer} across every page. */
    private static List<String> ids(Iterable<JsonNode> pages, String itemsPointer) {
        List<String> ids = new ArrayList<>();
        pages.forEach(page -> page.at(itemsPointer).forEach(item -> ids.add(item.path("id").asText())));
        return ids;
    }

    @Test
    void cursorUrlFollowsTheNextLinkVerbatim() {
        // Given Clio-style pages whose meta.paging.next is a full URL carrying the query and a page token
        String next = provider.baseUrl() + "/api/v4/matters.json?fields=id&order=id(asc)&page_token=p2";
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters.json")).withQueryParam("page_token", absent())
                .willReturn(okJson("{\"data\":[{\"id\":1},{\"id\":2}],\"meta\":{\"paging\":{\"next\":\"" + next + "\"}}}")));
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters.json")).withQueryParam("page_token", equalTo("p2"))
                .willReturn(okJson("{\"data\":[{\"id\":3}],\"meta\":{\"paging\":{}}}")));
        HttpCall firstPage = HttpCall.get("api/v4/matters.json").withQuery("fields", "id").withQuery("order", "id(asc)");

        // When every page is read
        List<String> ids = ids(Pages.all(client(), firstPage, Pagination.cursorUrl("/meta/paging/next")), "/data");

        // Then both pages came back, and the second request carried the query once
        assertThat(ids).containsExactly("1", "2", "3");
        provider.verify(1, getRequestedFor(urlPathEqualTo("/api/v4/matters.json"))
                .withQueryParam("page_token", equalTo("p2")).withQueryParam("fields", equalTo("id")));
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo("/api/v4/matters.json")).withQueryParam("page_token", equalTo("p2")))
                .get(0).getUrl()).isEqualTo("/api/v4/matters.json?fields=id&order=id(asc)&page_token=p2");
    }

    @Test
    void pageNumberStopsOnAnEmptyPage() {
        // Given Chatwoot-style numbered pages, the third of which is empty
        provider.stubFor(get(urlPathEqualTo("/conversations")).withQueryParam("page", absent())
                .willReturn(okJson("{\"data\":{\"payload\":[{\"id\":1},{\"id\":2}]}}")));
        provider.stubFor(get(urlPathEqualTo("/conversations")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("{\"data\":{\"payload\":[{\"id\":3}]}}")));
        provider.stubFor(get(urlPathEqualTo("/conversations")).withQueryParam("page", equalTo("3"))
                .willReturn(okJson("{\"data\":{\"payload\":[]}}")));

        // When every page is read
        List<String> ids = ids(Pages.all(client(), HttpCall.get("conversations").withQuery("status", "all"),
                Pagination.pageNumber("page", "/data/payload")), "/data/payload");

        // Then it read until the empty page, keeping the filter on each request
        assertThat(ids).containsExactly("1", "2", "3");
        provider.verify(3, getRequestedFor(urlPathEqualTo("/conversations")).withQueryParam("status", equalTo("all")));
    }

    @Test
    void offsetAdvancesByWhatWasReceivedUntilAShortPage() {
        // Given pages of at most two items, the third holding one
        provider.stubFor(get(urlPathEqualTo("/jobs")).withQueryParam("offset", absent())
                .willReturn(okJson("[{\"id\":\"a\"},{\"id\":\"b\"}]")));
        provider.stubFor(get(urlPathEqualTo("/jobs")).withQueryParam("offset", equalTo("2"))
                .willReturn(okJson("[{\"id\":\"c\"},{\"id\":\"d\"}]")));
        provider.stubFor(get(urlPathEqualTo("/jobs")).withQueryParam("offset", equalTo("4"))
                .willReturn(okJson("[{\"id\":\"e\"}]")));

        // When every page is read
        List<String> ids = ids(Pages.all(client(), HttpCall.get("jobs"), Pagination.offset("offset", "limit", 2, "")), "");

        // Then the short page was the last, and every request asked for two
        assertThat(ids).containsExactly("a", "b", "c", "d", "e");
        provider.verify(3, getRequestedFor(urlPathEqualTo("/jobs")).withQueryParam("limit", equalTo("2")));
    }

    @Test
    void startingAfterContinuesAfterTheLastIdWhileThereIsMore() {
        // Given Stripe-style lists with has_more
        provider.stubFor(get(urlPathEqualTo("/v1/customers")).withQueryParam("starting_after", absent())
                .willReturn(okJson("{\"object\":\"list\",\"data\":[{\"id\":\"cus_1\"},{\"id\":\"cus_2\"}],\"has_more\":true}")));
        provider.stubFor(get(urlPathEqualTo("/v1/customers")).withQueryParam("starting_after", equalTo("cus_2"))
                .willReturn(okJson("{\"object\":\"list\",\"data\":[{\"id\":\"cus_3\"}],\"has_more\":false}")));

        // When every page is read
        List<String> ids = ids(Pages.all(client(), HttpCall.get("v1/customers").withQuery("limit", "2"),
                Pagination.startingAfter("starting_after", "/has_more", "/data", "id")), "/data");

        // Then both pages came back
        assertThat(ids).containsExactly("cus_1", "cus_2", "cus_3");
    }

    @Test
    void linkHeaderFollowsRelNext() {
        // Given pages linked by RFC 8288 Link headers holding several links each
        String base = provider.baseUrl();
        provider.stubFor(get(urlPathEqualTo("/items")).withQueryParam("page", absent()).willReturn(okJson("[{\"id\":1}]")
                .withHeader("Link", "<" + base + "/items?page=2>; rel=\"next\", <" + base + "/items?page=2>; rel=\"last\"")));
        provider.stubFor(get(urlPathEqualTo("/items")).withQueryParam("page", equalTo("2")).willReturn(okJson("[{\"id\":2}]")
                .withHeader("Link", "<" + base + "/items>; rel=\"prev first\"")));

        // When every page is read
        List<String> ids = ids(Pages.all(client(), HttpCall.get("items"), Pagination.linkHeader()), "");

        // Then it stopped where no link was rel="next"
        assertThat(ids).containsExactly("1", "2");
    }

    @Test
    void pagesAreFetchedOnlyWhenAskedFor() {
        // Given a list with more than one page
        provider.stubFor(get(urlPathEqualTo("/conversations")).willReturn(okJson("{\"payload\":[{\"id\":1}]}")));

        // When the iterator is created and only its first page is read
        Iterator<JsonNode> pages = Pages.iterator(client(), HttpCall.get("conversations"), Pagination.pageNumber("page", "/payload"));
        pages.next();

        // Then exactly one request was sent
        provider.verify(1, getRequestedFor(urlPathEqualTo("/conversations")));
        assertThat(pages.hasNext()).isTrue();
    }

    @Test
    void aProviderThatHandsBackTheSameCursorIsAnUnexpectedPayload() {
        // Given a next link that points at the page itself
        String self = provider.baseUrl() + "/patients?page=2";
        provider.stubFor(get(urlPathEqualTo("/patients")).willReturn(okJson("{\"links\":{\"next\":\"" + self + "\"}}")));
        ProviderHttpClient client = client();
        HttpCall firstPage = HttpCall.get("patients");
        PaginationStrategy strategy = Pagination.cursorUrl("/links/next");

        // When the page after that cursor is fetched
        JunctionException failure = catchThrowableOfType(() -> client.fetchPage(firstPage, strategy, Optional.of(self)),
                JunctionException.class);

        // Then it fails instead of looping forever
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    @Test
    void aMissingItemsArrayIsAnUnexpectedPayloadNotAnEmptyList() {
        // Given a page whose items are not where the strategy was told to look
        provider.stubFor(get(urlPathEqualTo("/contacts")).willReturn(okJson("{\"results\":[{\"id\":1}]}")));

        // When the first page is fetched
        JunctionException failure = catchThrowableOfType(() -> client().fetchPage(HttpCall.get("contacts").withEntity("contacts"),
                Pagination.pageNumber("page", "/payload"), Optional.empty()), JunctionException.class);

        // Then it fails, naming the connection and entity, rather than ending the sync early
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThat(failure.context().connectionId()).isEqualTo("connection-1");
        assertThat(failure.context().entity()).isEqualTo("contacts");
    }

    @Test
    void linkHeaderFindsNextAmongSeveralRelationsAndResolvesRelativeTargets() {
        // Given a page fetched from an absolute URL whose Link header holds a relative next target with a comma
        HttpCall sent = HttpCall.get("https://api.example.com/v2/items?page=1");
        HttpResult result = HttpResult.of(200, Map.of("Link", List.of(
                "</v2/items?page=1>; rel=\"prev first\", </v2/items?page=2&ids=1,2>; rel=\"last next\"")), new byte[0]);

        // When the strategy looks for the next page
        Optional<String> next = Pagination.linkHeader().nextCursor(sent, result, null);

        // Then it is the link whose relations include next, made absolute
        assertThat(next).contains("https://api.example.com/v2/items?page=2&ids=1,2");
    }
}
