/**
 * A simulator of the Clio Manage API v4 ({@link dev.junction.provider.clio.sandbox.ClioSandbox}),
 * built on {@code dev.junction.sandbox} from Clio's public documentation: the API v4 reference
 * (docs.developers.clio.com/api-reference) and the paging, fields and rate-limit guides.
 *
 * <p>Where the documentation is silent the simulator makes a choice and says so: error {@code type}
 * names other than {@code ArgumentError}, the webhook handshake body, only {@code order=id(asc)},
 * plain {@code http} webhook URLs allowed for loopback receivers, unknown fields in write bodies
 * refused with 422, and no webhook retries.
 *
 * <p>Stability: for Junction's tests and demo; it follows Clio's API, so it may change with it. The
 * package does not depend on {@code integration-core}, so it never shares code with the client it
 * tests.
 */
package dev.junction.provider.clio.sandbox;
