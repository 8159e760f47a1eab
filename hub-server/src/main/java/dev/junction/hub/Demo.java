package dev.junction.hub;

import java.io.PrintStream;

/** Placeholder; filled in below. */
final class Demo {
    private Demo() {}

    static HubServer run(ServerConfig config, PrintStream out) {
        return HubServer.start(config, out);
    }
}
