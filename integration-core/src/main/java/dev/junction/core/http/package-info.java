/**
 * The HTTP stack every provider uses: {@link dev.junction.core.http.HttpStack} hands out
 * {@link dev.junction.core.http.ProviderHttpClient}s that add authentication, a per-connection rate limiter,
 * retries, redacted logging and the error taxonomy to Feign and OkHttp; {@link dev.junction.core.http.Pagination}
 * and {@link dev.junction.core.http.Pages} page through lists.
 *
 * <p>Stable: providers code against this package. Its {@code internal} subpackage is not API and may change.
 */
package dev.junction.core.http;
