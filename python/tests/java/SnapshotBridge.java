import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.ObservationEncoder;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.service.PolicySnapshotReader;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotGate;
import io.creditstream.schemas.trust.SnapshotSignatures;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The Java half of the snapshot cross-check, run by pytest as a single-file source program on the
 * policy module's classpath. It uses the fleet's and the learner's own classes, never a copy:
 *
 * <ul>
 *   <li>{@code features ROWS COLS OBSERVATIONS}: the fleet's {@link ObservationEncoder} features of
 *       each observation, {@code FEATURES} and the bits of every float in hex.
 *   <li>{@code read BOOTSTRAP STORE PUBLIC_KEY OBSERVATIONS EXPERIMENT...}: reads {@code
 *       policy.snapshots} to its end with the fleet's {@link PolicySnapshotReader}, judges each
 *       snapshot of the experiments, in topic order, with the fleet's {@link SnapshotGate} (this
 *       public key), and loads every believed one with the fleet's {@link PolicySnapshotStore}
 *       (confinement, size, sha256, then {@link PolicyNetwork#readFrom}).
 *   <li>{@code publish BOOTSTRAP STORE KEY_DIR OBSERVATIONS EXPERIMENT VERSION SEED ROWS COLS
 *       HIDDEN}: writes a new signing key pair into KEY_DIR as the learner's {@code
 *       --generate-signing-key} does, creates a network from SEED, and publishes it as the learner
 *       does: the store writes the artifact, the snapshot is signed and sent keyed by experiment.
 * </ul>
 *
 * <p>Per network it prints {@code NETWORK <experiment> <version> <array>=<sha256 of its big-endian
 * float32 bytes>... LOGPROBS <floats, one observation's after the other>}, the log-probabilities of
 * the observations in OBSERVATIONS (one base64 observation a line); a refused snapshot prints
 * {@code REFUSED <experiment> <version> <verdict>}, one whose artifact fails to load {@code
 * LOAD_FAILED <experiment> <version> <exception>: <message>}.
 */
public final class SnapshotBridge {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("features")) {
            features(observations(args[3]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        List<String> observations = observations(args[4]);
        PolicySnapshotStore store = new PolicySnapshotStore(Path.of(args[2]));
        if (args[0].equals("read")) {
            read(
                    args[1],
                    store,
                    Path.of(args[3]),
                    observations,
                    List.of(args).subList(5, args.length));
        } else {
            publish(args, store, observations);
        }
    }

    private static List<String> observations(String file) throws Exception {
        List<String> observations = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            if (!line.isBlank()) {
                observations.add(
                        new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8));
            }
        }
        return observations;
    }

    /** The encoder's features of each observation, as the bits of each float in hex. */
    private static void features(List<String> observations, int rows, int cols) {
        ObservationEncoder encoder = new ObservationEncoder(rows, cols);
        for (String observation : observations) {
            StringBuilder line = new StringBuilder("FEATURES");
            for (float value : encoder.encode(observation)) {
                line.append(' ').append(Integer.toHexString(Float.floatToIntBits(value)));
            }
            System.out.println(line);
        }
    }

    private static void read(
            String bootstrap,
            PolicySnapshotStore store,
            Path publicKey,
            List<String> observations,
            List<String> experiments)
            throws Exception {
        SnapshotGate gate =
                new SnapshotGate(
                        SigningKeys.readPublicKey(publicKey),
                        SnapshotGate.DEFAULT_MAX_VERSION_JUMP);
        Map<String, Long> newest = new HashMap<>();
        try (PolicySnapshotReader reader =
                new PolicySnapshotReader(
                        bootstrap, "policy.snapshots", Duration.ofSeconds(60), "snapshot-bridge")) {
            for (PolicySnapshot snapshot : reader.readToEnd(Duration.ofSeconds(120))) {
                String experiment = snapshot.getExperimentId();
                if (!experiments.contains(experiment)) {
                    continue;
                }
                String what = experiment + " " + snapshot.getVersion();
                SnapshotGate.Verdict verdict = gate.judge(snapshot, newest.get(experiment));
                if (verdict != SnapshotGate.Verdict.BELIEVED) {
                    System.out.println("REFUSED " + what + " " + verdict);
                    continue;
                }
                newest.put(experiment, snapshot.getVersion());
                try (PolicyNetwork network = store.load(snapshot)) {
                    System.out.println(describe(what, network, observations));
                } catch (Exception e) {
                    System.out.println(
                            "LOAD_FAILED "
                                    + what
                                    + " "
                                    + e.getClass().getSimpleName()
                                    + ": "
                                    + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }

    private static void publish(String[] args, PolicySnapshotStore store, List<String> observations)
            throws Exception {
        SigningKeys.KeyFiles keys = SigningKeys.generate(Path.of(args[3]));
        String experiment = args[5];
        long version = Long.parseLong(args[6]);
        NetworkSpec spec =
                new NetworkSpec(
                        Integer.parseInt(args[8]),
                        Integer.parseInt(args[9]),
                        Integer.parseInt(args[10]),
                        NetworkSpec.Activation.TANH,
                        NetworkSpec.KEY_DOOR_ACTIONS);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (PolicyNetwork network = PolicyNetwork.create(spec, Long.parseLong(args[7]));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(
                                config, new StringSerializer(), new ByteArraySerializer())) {
            PolicySnapshot snapshot =
                    store.publish(
                            experiment, version, network, Map.of("trained_policy_version", -1.0));
            snapshot =
                    SnapshotSignatures.sign(
                            snapshot, SigningKeys.readPrivateKey(keys.privateKey()));
            producer.send(
                            new ProducerRecord<>(
                                    "policy.snapshots",
                                    experiment,
                                    AvroCodec.of(PolicySnapshot.class).encode(snapshot)))
                    .get(60, TimeUnit.SECONDS);
            System.out.println(describe(experiment + " " + version, network, observations));
        }
    }

    private static String describe(String what, PolicyNetwork network, List<String> observations)
            throws Exception {
        StringBuilder line = new StringBuilder("NETWORK ").append(what);
        for (Map.Entry<String, float[]> array : network.weights().entrySet()) {
            ByteBuffer bytes = ByteBuffer.allocate(array.getValue().length * Float.BYTES);
            bytes.asFloatBuffer().put(array.getValue());
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.array());
            line.append(' ')
                    .append(array.getKey())
                    .append('=')
                    .append(HexFormat.of().formatHex(digest));
        }
        line.append(" LOGPROBS");
        for (float[] row : network.logProbabilities(observations)) {
            for (float value : row) {
                line.append(' ').append(value);
            }
        }
        // The artifact as this network writes it back: byte-identical to what was read.
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        network.writeTo(new DataOutputStream(rewritten));
        line.append(" REWRITTEN ")
                .append(
                        HexFormat.of()
                                .formatHex(
                                        MessageDigest.getInstance("SHA-256")
                                                .digest(rewritten.toByteArray())));
        return line.toString();
    }
}
