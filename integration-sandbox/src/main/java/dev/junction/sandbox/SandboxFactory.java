package dev.junction.sandbox;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a provider's API simulator. Found with {@link ServiceLoader}: each provider module lists
 * its factory in {@code META-INF/services/dev.junction.sandbox.SandboxFactory}, so a hub can start
 * every installed provider's sandbox for a demo or an offline development mode.
 *
 * <pre>{@code
 * for (SandboxFactory factory : SandboxFactory.installed()) {
 *     Sandbox sandbox = factory.start(SandboxOptions.defaults());
 *     System.out.println(factory.providerId() + " sandbox at " + sandbox.baseUrl());
 * }
 * }</pre>
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface SandboxFactory {

    /** The provider id, the same as the provider plug-in's, such as {@code clio}. */
    String providerId();

    /**
     * Starts a sandbox.
     *
     * @return the running sandbox; the caller closes it
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    Sandbox start(SandboxOptions options);

    /**
     * The factories on the class path. A factory that fails to load is logged and skipped, so one
     * broken jar does not hide the others.
     */
    static List<SandboxFactory> installed() {
        return installed(Thread.currentThread().getContextClassLoader());
    }

    /** The factories visible to {@code classLoader}; broken ones are logged and skipped. */
    static List<SandboxFactory> installed(ClassLoader classLoader) {
        Logger log = LoggerFactory.getLogger(SandboxFactory.class);
        List<SandboxFactory> factories = new ArrayList<>();
        Iterator<SandboxFactory> iterator = ServiceLoader.load(SandboxFactory.class, classLoader).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                SandboxFactory factory = iterator.next();
                log.debug("Found sandbox factory for provider '{}': {}",
                        factory.providerId(), factory.getClass().getName());
                factories.add(factory);
            } catch (ServiceConfigurationError broken) {
                log.warn("Skipping a sandbox factory that failed to load", broken);
            }
        }
        return List.copyOf(factories);
    }
}
