package dev.lethe.reliability;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;

/** The daemon's transaction as the coordinator sees it ({@code Admin.describeTransactions}), from outside. */
final class DaemonTransaction {

    /** The default model's transactional id ({@code lethe-<model>}), which is also its request group's id. */
    static final String ID = "lethe-fashion-cnn";

    private DaemonTransaction() {
    }

    static TransactionDescription describe(Admin admin) throws Exception {
        return admin.describeTransactions(List.of(ID)).description(ID).get(10, TimeUnit.SECONDS);
    }

    static boolean isOpenOn(TransactionDescription d, String... topics) {
        return d.state() == TransactionState.ONGOING && d.topicPartitions().stream()
                .anyMatch(tp -> Arrays.asList(topics).contains(tp.topic()));
    }

    /**
     * Polls every few milliseconds until a transaction is open that writes to one of {@code topics}
     * (true) or {@code over} completes first (false: the transaction came and went between polls).
     */
    static boolean awaitOpenOnOr(java.util.concurrent.Future<?> over, Admin admin, Duration timeout, String... topics) {
        return await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                .until(() -> over.isDone() || isOpenOn(describe(admin), topics), done -> done) && !over.isDone();
    }

    /** Polls every few milliseconds until a transaction is open that writes to one of {@code topics}. */
    static TransactionDescription awaitOpenOn(Admin admin, Duration timeout, String... topics) {
        return await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .ignoreExceptions().until(() -> describe(admin), d -> isOpenOn(d, topics));
    }
}
