package io.creditstream.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The completed checkpoints of a running job, as its REST API lists them, and which one committed a
 * batch. An exactly-once sink makes a batch visible only when the checkpoint whose barrier followed
 * it completes, so a group's latency splits into what the checkpoint imposes and what it does not.
 *
 * <p>What it imposes is measured against a pipeline that takes no time: such a pipeline would have
 * the group in the first checkpoint triggered after its last step was sent, visible when that
 * checkpoint completes. Everything after that moment is "beyond the commit delay": the commit and
 * the fetch after completion, and a whole further interval when the pipeline was too slow to get
 * the group in before that checkpoint's barrier.
 *
 * <p>Times are the JobManager's wall clock; the benchmark runs the job in its own JVM, so they
 * share one clock with the sender and the reader. The benchmark reads the history on one thread
 * while its reader splits groups on another, so the methods are synchronized.
 */
public final class CheckpointTimeline {

    /**
     * One completed checkpoint.
     *
     * @param triggeredMillis when the JobManager triggered it (barriers injected at the sources)
     * @param completedMillis when its last task acknowledged it; its transactions commit right
     *     after
     */
    public record Checkpoint(long id, long triggeredMillis, long completedMillis) {
        public long durationMillis() {
            return completedMillis - triggeredMillis;
        }
    }

    /**
     * A group's latency split at the checkpoints, in milliseconds.
     *
     * @param beyondCommit seen − completion of the first checkpoint triggered after the last step
     *     was sent (or of the one that committed the batch, if that was earlier): the latency a
     *     pipeline taking no time would not have had. Only completed checkpoints are listed, so a
     *     failed one in between counts as part of the commit delay, not beyond it
     * @param missedCheckpoint the batch was committed by a later checkpoint than that first one
     * @param emittedBeforeMissed it missed that checkpoint although the batcher had emitted it
     *     before the checkpoint was even triggered, so it was in that checkpoint's transaction: not
     *     the pipeline but its visibility came late
     * @param barrierWait batch emitted → the committing checkpoint's trigger (0 when it left after)
     * @param checkpoint the committing checkpoint's duration
     * @param afterCompletion committing checkpoint completed → batch seen (transaction commit and
     *     fetch)
     */
    public record Split(
            long beyondCommit,
            boolean missedCheckpoint,
            boolean emittedBeforeMissed,
            long barrierWait,
            long checkpoint,
            long afterCompletion) {}

    /** Completed checkpoints by completion time. */
    private final NavigableMap<Long, Checkpoint> byCompletion = new TreeMap<>();

    private final TreeMap<Long, Checkpoint> byId = new TreeMap<>();

    /**
     * Adds the completed checkpoints of a {@code /jobs/:id/checkpoints} answer (its {@code
     * history}); ones already known are ignored.
     */
    public synchronized void add(JsonNode answer) {
        for (JsonNode entry : answer.path("history")) {
            if (!"COMPLETED".equals(entry.path("status").asText())) {
                continue;
            }
            long id = entry.path("id").asLong();
            long triggered = entry.path("trigger_timestamp").asLong();
            long completed = entry.path("latest_ack_timestamp").asLong();
            if (byId.containsKey(id) || triggered <= 0 || completed < triggered) {
                continue;
            }
            Checkpoint checkpoint = new Checkpoint(id, triggered, completed);
            byId.put(id, checkpoint);
            byCompletion.put(completed, checkpoint);
        }
    }

    public synchronized int size() {
        return byId.size();
    }

    /**
     * The checkpoint that made a batch seen at {@code seenMillis} visible: the newest one completed
     * by then. (Misattributed only if the reader fell a whole interval behind the commits.)
     */
    public synchronized Optional<Checkpoint> committing(long seenMillis) {
        Map.Entry<Long, Checkpoint> entry = byCompletion.floorEntry(seenMillis);
        return entry == null ? Optional.empty() : Optional.of(entry.getValue());
    }

    /** The checkpoints triggered in [fromMillis, toMillis). */
    public synchronized List<Checkpoint> triggeredBetween(long fromMillis, long toMillis) {
        List<Checkpoint> found = new ArrayList<>();
        for (Checkpoint checkpoint : byId.values()) {
            if (checkpoint.triggeredMillis() >= fromMillis
                    && checkpoint.triggeredMillis() < toMillis) {
                found.add(checkpoint);
            }
        }
        return found;
    }

    /**
     * The newest checkpoint triggered so far, if any: the timeline is complete up to its trigger.
     */
    public synchronized Optional<Checkpoint> newest() {
        return byId.isEmpty() ? Optional.empty() : Optional.of(byId.lastEntry().getValue());
    }

    /**
     * Splits one group's latency; empty when no checkpoint had completed by the time it was seen
     * (the timeline has not been read far enough).
     *
     * @param lastStepMillis when the group's last step was handed to the producer
     * @param emittedMillis when the batcher emitted its batch
     * @param seenMillis when the {@code read_committed} reader held it
     */
    public synchronized Optional<Split> split(
            long lastStepMillis, long emittedMillis, long seenMillis) {
        return committing(seenMillis)
                .map(
                        c -> {
                            long after = seenMillis - c.completedMillis();
                            Optional<Checkpoint> first = firstTriggeredAtOrAfter(lastStepMillis);
                            boolean missed = first.isPresent() && first.get().id() < c.id();
                            long beyond =
                                    missed ? seenMillis - first.get().completedMillis() : after;
                            return new Split(
                                    beyond,
                                    missed,
                                    missed && emittedMillis < first.get().triggeredMillis(),
                                    Math.max(0, c.triggeredMillis() - emittedMillis),
                                    c.durationMillis(),
                                    after);
                        });
    }

    private Optional<Checkpoint> firstTriggeredAtOrAfter(long millis) {
        for (Checkpoint checkpoint : byId.values()) {
            if (checkpoint.triggeredMillis() >= millis) {
                return Optional.of(checkpoint);
            }
        }
        return Optional.empty();
    }

    /** Reads a job's checkpoint history from its REST API into a timeline. */
    public static final class RestReader {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final ObjectMapper json = new ObjectMapper();
        private final URI checkpoints;
        private IOException lastFailure;

        /**
         * @param rest the REST API's base, e.g. {@code http://127.0.0.1:8081/}
         * @param jobId the job's id in hex
         */
        public RestReader(URI rest, String jobId) {
            this.checkpoints = rest.resolve("/jobs/" + jobId + "/checkpoints");
        }

        /** Adds what the API lists now; a failed read is remembered, not thrown. */
        public void readInto(CheckpointTimeline timeline) throws InterruptedException {
            try {
                HttpResponse<String> response =
                        http.send(
                                HttpRequest.newBuilder(checkpoints)
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException(
                            "GET " + checkpoints + " answered " + response.statusCode());
                }
                timeline.add(json.readTree(response.body()));
            } catch (IOException e) {
                lastFailure = e;
            }
        }

        /** Why the last failed read failed, if one did. */
        public Optional<IOException> lastFailure() {
            return Optional.ofNullable(lastFailure);
        }
    }
}
