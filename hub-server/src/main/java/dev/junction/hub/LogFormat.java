package dev.junction.hub;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Switches hub-server's console log between {@code text} (logback.xml's pattern, with {@link LogIdsConverter}'s ids)
 * and {@code json} (logback's {@link JsonEncoder}: one object per line with {@code timestamp}, {@code level},
 * {@code threadName}, {@code loggerName}, {@code mdc} holding the ids, {@code formattedMessage} and {@code throwable}).
 * Message arguments are not written separately: they are in the formatted message, and nothing secret is ever logged.
 *
 * <p>Applied when the server starts, after the settings are read (the first lines before that are text). Does nothing
 * when logback is not the SLF4J backend or the {@code STDERR} appender was configured away. Thread-safe.
 */
final class LogFormat {

    static final String APPENDER = "STDERR";
    private static volatile Encoder<ILoggingEvent> textEncoder;

    private LogFormat() {}

    /** Applies {@code text} or {@code json}; returns whether the console appender was found. */
    static synchronized boolean apply(String format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
        if (!(appender instanceof OutputStreamAppender<ILoggingEvent> console)) {
            return false;
        }
        if (textEncoder == null) {
            textEncoder = console.getEncoder(); // logback.xml's, kept to switch back
        }
        console.setEncoder(format.equals("json") ? jsonEncoder(context) : textEncoder);
        return true;
    }

    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
