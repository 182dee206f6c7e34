package dev.lethe.daemon.observe;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the REST API and the health checks read: each request's latest audit state per model
 * (rebuilt from {@code lethe.audit} at start-up, then kept current after each commit, and for the
 * other models sharing the topic by following it), and whether the daemon is up and connected. A
 * read model only: the request path never asks it what to do.
 */
public final class DaemonState {

    /**
     * A request's state as one model's audit trail tells it.
     *
     * @param status received | completed | escalated | rejected | retrain_required
     */
    public record RequestStatus(String requestId, String status, String subjectRef, int samplesForgotten,
            Long modelVersion, AuditEvent.Mia mia, String reason, Instant updatedAt) {
    }

    private final String model;
    /** Per model, per request id. */
    private final Map<String, Map<String, RequestStatus>> requests = new ConcurrentHashMap<>();
    private volatile boolean modelLoaded;
    private volatile Instant lastKafkaContact;
    private volatile String failure;

    /** The read model of the daemon that unlearns {@code model}. */
    public DaemonState(String model) {
        this.model = model;
    }

    /** The model this daemon unlearns. */
    public String model() {
        return model;
    }

    /** Records an audit event as the request's latest state; a terminal state is never undone by "received". */
    public void apply(AuditEvent event, Instant at) {
        String status = statusOf(event.type());
        if (status == null) {
            return;
        }
        // Events that name no model were written before models shared the topic: this model's.
        String of = event.model() == null ? model : event.model();
        requests.computeIfAbsent(of, m -> new ConcurrentHashMap<>()).compute(event.requestId(), (id, old) -> {
            if (old != null && !"received".equals(old.status()) && "received".equals(status)) {
                return old;
            }
            if (old != null && "escalated".equals(old.status()) && "retrain_required".equals(status)) {
                return old;
            }
            return new RequestStatus(id, status, event.subjectRef(), event.samplesForgotten(), event.modelVersion(),
                    event.mia(), event.reason(), at);
        });
    }

    private static String statusOf(String type) {
        return switch (type) {
            case EventTypes.DELETION_RECEIVED -> "received";
            case EventTypes.DELETION_COMPLETED -> "completed";
            case EventTypes.DELETION_ESCALATED -> "escalated";
            case EventTypes.DELETION_REJECTED -> "rejected";
            case EventTypes.RETRAIN_REQUIRED -> "retrain_required";
            default -> null;
        };
    }

    /** The request's state in this daemon's model. */
    public Optional<RequestStatus> request(String requestId) {
        return Optional.ofNullable(requests.getOrDefault(model, Map.of()).get(requestId));
    }

    /** The request's state in every model that has an audit event for it, by model name. */
    public SortedMap<String, RequestStatus> requestInEveryModel(String requestId) {
        SortedMap<String, RequestStatus> out = new TreeMap<>();
        requests.forEach((m, byId) -> {
            RequestStatus status = byId.get(requestId);
            if (status != null) {
                out.put(m, status);
            }
        });
        return out;
    }

    /** Requests with an audit event in this daemon's model. */
    public int knownRequests() {
        return requests.getOrDefault(model, Map.of()).size();
    }

    public void modelLoaded(boolean loaded) {
        modelLoaded = loaded;
    }

    public boolean modelLoaded() {
        return modelLoaded;
    }

    public void kafkaContact(Instant at) {
        lastKafkaContact = at;
    }

    public Optional<Instant> lastKafkaContact() {
        return Optional.ofNullable(lastKafkaContact);
    }

    public void failed(String reason) {
        failure = reason;
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }
}
