package dev.junction.benchmarks;

import java.lang.reflect.Method;

/**
 * Samples the measured window only with async-profiler, when asked: {@code -Dbench.profile=out.collapsed} writes the
 * window's CPU samples in collapsed-stack form (one line a stack, for flame graphs or grep), with
 * {@code -Dbench.profiler.lib=/path/to/libasyncProfiler.so} and async-profiler's jar on the class path. Found by
 * reflection, so the benchmarks need it only when profiling. Without the property it does nothing.
 */
final class WindowProfiler {

    private final Object profiler;
    private final Method execute;
    private final String file;

    private WindowProfiler(Object profiler, Method execute, String file) {
        this.profiler = profiler;
        this.execute = execute;
        this.file = file;
    }

    static WindowProfiler start() throws ReflectiveOperationException {
        String file = System.getProperty("bench.profile");
        if (file == null) {
            return new WindowProfiler(null, null, null);
        }
        Class<?> type = Class.forName("one.profiler.AsyncProfiler");
        Object profiler = type.getMethod("getInstance", String.class).invoke(null, System.getProperty("bench.profiler.lib"));
        Method execute = type.getMethod("execute", String.class);
        execute.invoke(profiler, "start,event=" + System.getProperty("bench.profile.event", "cpu") + ",interval=1ms,threads");
        return new WindowProfiler(profiler, execute, file);
    }

    void stop() throws ReflectiveOperationException {
        if (profiler != null) {
            execute.invoke(profiler, "stop,file=" + file + ",collapsed");
        }
    }
}
