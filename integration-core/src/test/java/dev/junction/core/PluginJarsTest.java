package dev.junction.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.spi.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plug-in jars built in the test (sources compiled with the JDK's compiler against core's SPI, then jarred): good
 * jars load in class loaders of their own, broken ones are skipped with their reason.
 */
class PluginJarsTest {

    @TempDir
    Path temp;

    @Test
    void aGoodJarLoadsInItsOwnClassLoaderAndBrokenOnesAreSkippedWithTheirReason() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        jar(plugins.resolve("a-good.jar"), Map.of("acme.AcmeProvider", provider("acme.AcmeProvider", "acme", "")),
                List.of("acme.AcmeProvider"), false);
        Files.write(plugins.resolve("b-corrupt.jar"), "this is not a zip file".getBytes(StandardCharsets.UTF_8));
        jar(plugins.resolve("c-missing-class.jar"), Map.of(), List.of("nowhere.NoSuchProvider"), false);
        jar(plugins.resolve("d-duplicate.jar"), Map.of("dup.DupProvider", provider("dup.DupProvider", "acme", "")),
                List.of("dup.DupProvider"), false);
        // The provider's transformer needs a class the jar leaves out: found at load time, not during a sync.
        jar(plugins.resolve("e-missing-dependency.jar"), Map.of(
                "gap.GapProvider", provider("gap.GapProvider", "gap", "new gap.Helper();"),
                "gap.Helper", "package gap; public final class Helper {}"), List.of("gap.GapProvider"), true);
        jar(plugins.resolve("f-taken.jar"), Map.of("taken.TakenProvider", provider("taken.TakenProvider", "clio", "")),
                List.of("taken.TakenProvider"), false);
        Files.writeString(plugins.resolve("notes.txt"), "not a jar, ignored");

        try (PluginJars loaded = PluginJars.load(plugins, Set.of("clio"))) {
            assertThat(loaded.plugins()).hasSize(1);
            PluginJars.Plugin plugin = loaded.plugins().get(0);
            assertThat(plugin.jar().getFileName()).hasToString("a-good.jar");
            Provider acme = loaded.providers().get("acme");
            assertThat(acme).isNotNull();
            assertThat(acme.getClass().getClassLoader()).isSameAs(plugin.classLoader());
            assertThat(plugin.classLoader().getParent()).isSameAs(PluginJars.class.getClassLoader());
            assertThat(acme.entityTypes()).extracting(type -> type.name()).containsExactly("widgets");

            assertThat(loaded.skipped()).extracting(skipped -> skipped.jar().getFileName().toString())
                    .containsExactly("b-corrupt.jar", "c-missing-class.jar", "d-duplicate.jar", "e-missing-dependency.jar", "f-taken.jar");
            assertThat(reason(loaded, "b-corrupt.jar")).contains("not a readable jar");
            assertThat(reason(loaded, "c-missing-class.jar")).contains("ServiceConfigurationError").contains("nowhere.NoSuchProvider");
            assertThat(reason(loaded, "d-duplicate.jar")).contains("provider id 'acme'").contains("already installed");
            assertThat(reason(loaded, "e-missing-dependency.jar")).contains("NoClassDefFoundError").contains("gap/Helper");
            assertThat(reason(loaded, "f-taken.jar")).contains("provider id 'clio'");
        }
    }

    @Test
    void twoJarsGetTwoClassLoadersAndAMissingDirectoryMeansNoPlugins() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("two"));
        jar(plugins.resolve("one.jar"), Map.of("one.OneProvider", provider("one.OneProvider", "one", "")), List.of("one.OneProvider"), false);
        jar(plugins.resolve("two.jar"), Map.of("two.TwoProvider", provider("two.TwoProvider", "two", "")), List.of("two.TwoProvider"), false);
        try (PluginJars loaded = PluginJars.load(plugins, Set.of())) {
            assertThat(loaded.providers()).containsOnlyKeys("one", "two");
            assertThat(loaded.plugins().get(0).classLoader()).isNotSameAs(loaded.plugins().get(1).classLoader());
            assertThat(loaded.skipped()).isEmpty();
            // Another service type: only what the jars define themselves, not the parent's.
            assertThat(loaded.services(Provider.class)).hasSize(2);
        }
        try (PluginJars none = PluginJars.load(temp.resolve("absent"), Set.of())) {
            assertThat(none.plugins()).isEmpty();
            assertThat(none.skipped()).isEmpty();
        }
    }

    private static String reason(PluginJars loaded, String jar) {
        return loaded.skipped().stream().filter(skipped -> skipped.jar().getFileName().toString().equals(jar)).findFirst()
                .orElseThrow().reason();
    }

    /** A provider with one entity; {@code transformerBody} runs when its transformer is made. */
    private static String provider(String className, String id, String transformerBody) {
        int dot = className.lastIndexOf('.');
        return "package " + className.substring(0, dot) + ";\n"
                + "import dev.junction.core.spi.*;\n"
                + "import java.time.Duration;\n"
                + "import java.util.*;\n"
                + "public final class " + className.substring(dot + 1) + " implements Provider {\n"
                + "  public String id() { return \"" + id + "\"; }\n"
                + "  public AuthMethod authMethod() { return new AuthMethod.ApiKey(\"api_key\"); }\n"
                + "  public List<EntityType> entityTypes() { return List.of(EntityType.of(\"widgets\")); }\n"
                + "  public RateLimitPolicy rateLimitPolicy() { return RateLimitPolicy.of(10, Duration.ofSeconds(1)); }\n"
                + "  public Set<Capability> capabilities() { return Set.of(); }\n"
                + "  public List<Setting> settings() { return List.of(Setting.connectionSecret(\"api_key\", \"key\")); }\n"
                + "  public Connector connect(ConnectorContext context) { throw new UnsupportedOperationException(); }\n"
                + "  public Transformer transformer() { " + transformerBody + " return record -> Optional.empty(); }\n"
                + "}\n";
    }

    /** Compiles {@code sources} against core's classes and writes a jar listing {@code services} as providers. */
    private void jar(Path jar, Map<String, String> sources, List<String> services, boolean leaveOutHelper)
            throws IOException, URISyntaxException {
        Path src = Files.createTempDirectory(temp, "src");
        Path classes = Files.createTempDirectory(temp, "classes");
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file.toString());
        }
        if (!files.isEmpty()) {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            String core = Path.of(Provider.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> arguments = new ArrayList<>(List.of("-classpath", core, "-d", classes.toString(), "--release", "17"));
            arguments.addAll(files);
            assertThat(javac.run(null, null, null, arguments.toArray(String[]::new))).as("javac").isZero();
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                if (leaveOutHelper && name.endsWith("Helper.class")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(file, out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + Provider.class.getName()));
            OutputStream entry = out;
            entry.write((String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
