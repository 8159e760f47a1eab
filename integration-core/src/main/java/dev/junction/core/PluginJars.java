package dev.junction.core;

import dev.junction.core.spi.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider plug-in jars: every {@code *.jar} in a directory, each in a {@link URLClassLoader} of its own whose parent
 * is the given class loader (normally the application's), so the SPI types ({@link Provider}, and the sandbox module's
 * {@code SandboxFactory}) are shared while each plug-in's own classes stay apart from the others'. A plug-in jar holds
 * its provider and everything it needs that the application does not already have.
 *
 * <p>A jar that fails to load — not a readable zip, a {@code META-INF/services} entry naming a missing class, a
 * provider whose class needs one that is not there, a provider id already taken by the class path or an earlier jar
 * (jars load in file-name order) — is logged with the reason and skipped as a whole; it never stops the others.
 *
 * <pre>{@code
 * try (PluginJars plugins = PluginJars.load(Path.of("plugins"), HubBuilder.installedProviders().keySet())) {
 *     plugins.providers().forEach((id, provider) -> builder.withProvider(provider, settingsFor(id)));
 *     ... // keep it open while the hub runs: closing it closes the plug-ins' class loaders
 * }
 * }</pre>
 *
 * <p>Thread-safe after loading. {@link #close()} closes the class loaders; call it after the hub that uses the
 * providers is closed.
 */
public final class PluginJars implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginJars.class);

    /** A jar that loaded: its class loader and the providers defined in it, by id. */
    public record Plugin(Path jar, ClassLoader classLoader, Map<String, Provider> providers) {
        public Plugin {
            Objects.requireNonNull(jar, "jar");
            Objects.requireNonNull(classLoader, "classLoader");
            providers = Map.copyOf(providers);
        }
    }

    /** A jar that did not load, and why. */
    public record Skipped(Path jar, String reason) {
    }

    private final Path directory;
    private final List<Plugin> plugins;
    private final List<Skipped> skipped;
    private final List<URLClassLoader> loaders;

    private PluginJars(Path directory, List<Plugin> plugins, List<Skipped> skipped, List<URLClassLoader> loaders) {
        this.directory = directory;
        this.plugins = List.copyOf(plugins);
        this.skipped = List.copyOf(skipped);
        this.loaders = List.copyOf(loaders);
    }

    /**
     * Loads every {@code *.jar} in {@code directory} with the application class loader as parent. A missing directory
     * means no plug-ins.
     *
     * @param takenIds provider ids already installed (normally {@code HubBuilder.installedProviders().keySet()}); a
     *     jar that declares one of them is skipped
     * @throws UncheckedIOException if the directory exists but cannot be listed
     */
    public static PluginJars load(Path directory, Set<String> takenIds) {
        return load(directory, takenIds, PluginJars.class.getClassLoader());
    }

    /** As {@link #load(Path, Set)}, with another parent class loader. */
    public static PluginJars load(Path directory, Set<String> takenIds, ClassLoader parent) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(parent, "parent");
        List<Plugin> plugins = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<URLClassLoader> loaders = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            LOG.debug("No plug-in directory at {}", directory.toAbsolutePath());
            return new PluginJars(directory, plugins, skipped, loaders);
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.jar")) {
            stream.forEach(jars::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plug-in directory " + directory.toAbsolutePath(), e);
        }
        jars.sort(null);
        Set<String> taken = new java.util.HashSet<>(takenIds);
        for (Path jar : jars) {
            URLClassLoader loader = null;
            try {
                checkReadable(jar);
                loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {url(jar)}, parent);
                Map<String, Provider> providers = providers(jar, loader, taken);
                taken.addAll(providers.keySet());
                plugins.add(new Plugin(jar, loader, providers));
                loaders.add(loader);
                LOG.info("Loaded plug-in {} with provider(s) {}", jar.getFileName(), providers.keySet());
            } catch (PluginException | ServiceConfigurationError | LinkageError | RuntimeException e) {
                String reason = reason(e);
                skipped.add(new Skipped(jar, reason));
                LOG.warn("Skipping plug-in {}: {}", jar.toAbsolutePath(), reason);
                closeQuietly(loader);
            }
        }
        return new PluginJars(directory, plugins, skipped, loaders);
    }

    /** The directory the jars came from. */
    public Path directory() {
        return directory;
    }

    /** The jars that loaded, in file-name order. */
    public List<Plugin> plugins() {
        return plugins;
    }

    /** The jars that were skipped, with the reasons. */
    public List<Skipped> skipped() {
        return skipped;
    }

    /** Every plug-in provider, by id (ids are unique across jars and the class path). */
    public Map<String, Provider> providers() {
        Map<String, Provider> all = new LinkedHashMap<>();
        plugins.forEach(plugin -> all.putAll(plugin.providers()));
        return all;
    }

    /**
     * The implementations of another service type defined in the plug-in jars themselves (not the parent's), such
     * as sandbox factories; one that fails to load is logged and left out.
     */
    public <T> List<T> services(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Plugin plugin : plugins) {
            Iterator<T> iterator = ServiceLoader.load(type, plugin.classLoader()).iterator();
            while (true) {
                try {
                    if (!iterator.hasNext()) {
                        break;
                    }
                    T service = iterator.next();
                    if (service.getClass().getClassLoader() == plugin.classLoader()) {
                        found.add(service);
                    }
                } catch (ServiceConfigurationError | LinkageError e) {
                    LOG.warn("Skipping a {} in plug-in {}: {}", type.getSimpleName(), plugin.jar().getFileName(), reason(e));
                }
            }
        }
        return List.copyOf(found);
    }

    /** Closes the plug-ins' class loaders; their classes cannot load anything afterwards. */
    @Override
    public void close() {
        loaders.forEach(PluginJars::closeQuietly);
    }

    private static Map<String, Provider> providers(Path jar, URLClassLoader loader, Set<String> taken) throws PluginException {
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (Provider provider : ServiceLoader.load(Provider.class, loader)) {
            if (provider.getClass().getClassLoader() != loader) {
                continue; // the parent's (class path) providers, seen through the parent
            }
            String id = provider.id();
            if (id == null || id.isBlank()) {
                throw new PluginException(provider.getClass().getName() + " has no id");
            }
            if (taken.contains(id) || providers.containsKey(id)) {
                throw new PluginException("provider id '" + id + "' (" + provider.getClass().getName() + ") is already installed");
            }
            // Touch the description now, so a class missing from the jar fails here, not in the middle of a sync.
            provider.entityTypes();
            provider.settings();
            provider.capabilities();
            provider.rateLimitPolicy();
            provider.transformer();
            providers.put(id, provider);
        }
        if (providers.isEmpty()) {
            throw new PluginException("no provider in META-INF/services/" + Provider.class.getName());
        }
        return providers;
    }

    private static void checkReadable(Path jar) throws PluginException {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getEntry("META-INF/services/" + Provider.class.getName()) == null) {
                throw new PluginException("no provider in META-INF/services/" + Provider.class.getName());
            }
        } catch (IOException e) {
            throw new PluginException("not a readable jar (" + e.getMessage() + ")");
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a file path: " + jar, e);
        }
    }

    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder(e instanceof PluginException ? "" : e.getClass().getSimpleName() + ": ");
        reason.append(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            reason.append("; caused by ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return reason.toString();
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader == null) {
            return;
        }
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("Closing a plug-in class loader failed", e);
        }
    }

    private static final class PluginException extends Exception {
        PluginException(String message) {
            super(message);
        }
    }
}
