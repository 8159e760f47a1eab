package dev.junction.hub;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar hub-server.jar [serve|migrate|demo] [--config file]}: {@code serve} (the default) runs the REST
 * API until stopped; {@code migrate} creates or updates the schema and exits; {@code demo} starts every installed
 * provider's sandbox, connects and syncs a demo tenant, prints what to try, and keeps serving.
 */
public final class HubServerMain {

    private HubServerMain() {}

    public static void main(String[] args) {
        HubServer.preferNoDelay(); // before anything can start a JDK HTTP server (the demo's sandboxes do)
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = "serve";
        Path configFile = null;
        boolean exit = false;
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            if (arg.equals("--config")) {
                if (i + 1 >= rest.size()) {
                    err.println("--config needs a file");
                    return 2;
                }
                configFile = Path.of(rest.get(++i));
            } else if (arg.equals("--exit")) {
                exit = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                usage(out);
                return 0;
            } else if (List.of("serve", "migrate", "demo").contains(arg)) {
                command = arg;
            } else {
                err.println("unknown argument '" + arg + "'");
                usage(err);
                return 2;
            }
        }
        ServerConfig config;
        try {
            config = ServerConfig.load(System.getenv(), configFile);
        } catch (ServerConfig.ConfigException e) {
            err.println("hub-server: configuration error: " + e.getMessage());
            return 2;
        }
        try {
            switch (command) {
                case "migrate" -> {
                    HubServer.migrate(config, out);
                    return 0;
                }
                case "demo" -> {
                    Demo.Running demo;
                    try {
                        demo = Demo.run(config, out, out == System.out && System.console() != null);
                    } catch (IllegalStateException e) {
                        err.println("hub-server: the demo failed: " + e.getMessage());
                        return 1;
                    }
                    if (exit || config.demoExit()) {
                        demo.close();
                        out.println(demo.succeeded() ? "Demo OK; exiting (--exit)." : "Demo FAILED: see the summary above.");
                        return demo.succeeded() ? 0 : 1;
                    }
                    out.println("Serving until stopped (Ctrl-C).");
                    awaitShutdown(demo);
                    return 0;
                }
                default -> {
                    HubServer server = HubServer.start(config, out);
                    out.println("hub-server listening on " + server.publicUrl() + " (API docs at " + server.publicUrl() + "/docs)");
                    awaitShutdown(server);
                    return 0;
                }
            }
        } catch (ServerConfig.ConfigException | dev.junction.core.error.JunctionException e) {
            err.println("hub-server: cannot start: " + e.getMessage());
            return 2;
        }
    }

    private static void awaitShutdown(AutoCloseable server) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("hub-server: error while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "hub-server-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar hub-server.jar [serve|migrate|demo [--exit]] [--config file.properties]");
        out.println("  demo --exit: exit after the demo's summary (status 0 when every sync matched its sandbox)");
        out.println("settings (environment variable, file key, default):");
        for (ServerConfig.Setting setting : ServerConfig.SETTINGS) {
            out.printf("  %-32s %-22s %s%n", setting.environmentName(), setting.key(), setting.defaultValue());
        }
    }
}
