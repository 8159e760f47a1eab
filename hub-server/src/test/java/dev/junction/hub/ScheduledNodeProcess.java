package dev.junction.hub;

/**
 * A hub-server node in its own JVM, for {@link ScheduledSyncKillTest}: {@code <jdbc url> <encryption key> <node name>}.
 * Runs until it is killed.
 */
public final class ScheduledNodeProcess {

    private ScheduledNodeProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        HubServer server = SchedulingSupport.start(SchedulingSupport.nodeSettings(args[0], args[1], args[2]));
        System.out.println("started " + server.localUrl());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
