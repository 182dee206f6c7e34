package dev.lethe.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Progress lines of a long CLI task with {@code k/N} and an ETA. It wraps the task's line sink: a
 * line that matches {@code unitDone} marks one of {@code total} units finished (or, when the
 * pattern has a group, says how many: {@code epoch (\d+):}), and is printed as
 * {@code [label] k/N 37% 1m02s elapsed, ETA 1m45s · <line>}; other lines pass through with the label.
 * The ETA assumes the remaining units take as long as the finished ones did on average; a task
 * that may stop early (training to a target loss) makes it an upper bound.
 */
public final class Progress implements Consumer<String> {

    private final String label;
    private final int total;
    private final Pattern unitDone;
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final long start;
    private int done;

    public Progress(String label, int total, Pattern unitDone, PrintStream out, LongSupplier nanoTime) {
        if (total < 1) {
            throw new IllegalArgumentException("total must be at least 1");
        }
        this.label = label;
        this.total = total;
        this.unitDone = unitDone;
        this.out = out;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    /** On stderr with the system clock. */
    public static Progress of(String label, int total, String unitDoneRegex) {
        return new Progress(label, total, Pattern.compile(unitDoneRegex), System.err, System::nanoTime);
    }

    @Override
    public synchronized void accept(String line) {
        java.util.regex.Matcher m = unitDone.matcher(line);
        if (m.find()) {
            // A group that holds a number says how many units are done; anything else counts one.
            String count = m.groupCount() > 0 ? m.group(1) : null;
            done = Math.min(total, count != null && count.matches("\\d{1,9}") ? Math.max(done, Integer.parseInt(count))
                    : done + 1);
            out.println("[" + label + "] " + status() + " · " + line.strip());
        } else {
            out.println("[" + label + "] " + line);
        }
    }

    /** {@code k/N pct elapsed, ETA}: what a line of a finished unit starts with. */
    synchronized String status() {
        double elapsed = (nanoTime.getAsLong() - start) / 1e9;
        String eta = done == 0 ? "?" : duration(elapsed / done * (total - done));
        return String.format(Locale.ROOT, "%d/%d %d%% %s elapsed, ETA %s", done, total, 100 * done / total,
                duration(elapsed), eta);
    }

    public synchronized int done() {
        return done;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}
