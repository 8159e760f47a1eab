package dev.junction.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory probes for one measuring JVM: the peak heap in use (sampled, garbage included), the peak of the heap left
 * after collections (the live set), and the process's peak resident set from {@code /proc/self/status}.
 */
final class Measurements implements AutoCloseable {

    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final Thread sampler;

    private Measurements() {
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long used = 0;
                long afterGc = 0;
                for (MemoryPoolMXBean pool : heapPools) {
                    used += pool.getUsage().getUsed();
                    if (pool.getCollectionUsage() != null) {
                        afterGc += pool.getCollectionUsage().getUsed();
                    }
                }
                peakUsed.accumulateAndGet(used, Math::max);
                peakAfterGc.accumulateAndGet(afterGc, Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
    }

    /** Starts sampling now. */
    static Measurements start() {
        Measurements measurements = new Measurements();
        measurements.sampler.start();
        return measurements;
    }

    /** The most heap in use at any sample, garbage included. */
    long peakHeapUsed() {
        return peakUsed.get();
    }

    /** The largest heap left after a collection: the live set's peak, as close as sampling gets. */
    long peakHeapAfterGc() {
        return peakAfterGc.get();
    }

    /**
     * CPU time the hypervisor gave to other guests while this machine's processes wanted it ("steal" in
     * {@code /proc/stat}), in seconds summed over all processors since boot; NaN where that is not available. A
     * measurement window with steal ran on fewer cores than the machine has.
     */
    static double stolenSeconds() {
        String[] fields = allCpus();
        return fields.length > 8 ? Long.parseLong(fields[8]) / 100.0 : Double.NaN;
    }

    /**
     * The machine's CPU ticks from {@code /proc/stat}'s first line: all of them (steal excluded: it was not this
     * machine's to use) and the idle ones (idle and I/O wait); empty where that is not available.
     */
    static long[] machineTicks() {
        String[] fields = allCpus();
        if (fields.length < 8) return new long[0];
        long all = 0;
        for (int i = 1; i <= 7; i++) { // user nice system idle iowait irq softirq
            all += Long.parseLong(fields[i]);
        }
        return new long[] {all, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    /** The fields of {@code /proc/stat}'s line for all processors ({@code cpu} first, then ticks); empty where there is none. */
    private static String[] allCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    return line.trim().split("\\s+");
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return new String[0];
    }

    /** The share of the machine's CPU time that was idle since {@code before} ({@link #machineTicks}), in percent. */
    static double idleShareSince(long[] before) {
        long[] after = machineTicks();
        if (before.length < 2 || after.length < 2 || after[0] == before[0]) return Double.NaN;
        return 100.0 * (after[1] - before[1]) / (after[0] - before[0]);
    }

    /** The process's peak resident set size ({@code VmHWM}), or -1 where {@code /proc} is not there. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
