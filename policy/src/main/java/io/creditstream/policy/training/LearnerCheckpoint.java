package io.creditstream.policy.training;

import io.creditstream.policy.model.PolicyNetwork;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Saves and restores everything a learner process needs to continue as if it had never stopped: the
 * weights, the Adam state, the update count that seeds the next shuffle, and the input offsets it
 * had consumed, all in one file so that they can never disagree.
 *
 * <p>The file is written to a temporary sibling, forced to disk and atomically renamed over the
 * previous checkpoint, and then the directory is forced to disk too, so a crash (of the process or
 * of the machine) leaves either the old checkpoint or the new one, never a mix, and once {@link
 * #save} returns the new one survives a power loss. It ends with a CRC-32 of its contents, checked
 * on restore. Options are configuration, not state: restore takes them as an argument.
 */
public final class LearnerCheckpoint {

    private static final int MAGIC = 0x43534c43; // "CSLC"
    private static final int FORMAT_VERSION = 1;

    private LearnerCheckpoint() {}

    /**
     * Atomically replaces {@code file} with a checkpoint of {@code learner} (its network and
     * optimizer) and {@code consumedOffsets} (an opaque map, for example "topic-partition" to next
     * offset).
     */
    public static void save(
            Path file, ClippedPolicyGradient learner, Map<String, Long> consumedOffsets)
            throws IOException {
        Objects.requireNonNull(learner, "learner");
        Objects.requireNonNull(consumedOffsets, "consumedOffsets");
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        Files.createDirectories(directory);
        Path temp = Files.createTempFile(directory, target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                CRC32 crc = new CRC32();
                DataOutputStream out =
                        new DataOutputStream(
                                new BufferedOutputStream(
                                        new CheckedOutputStream(
                                                Channels.newOutputStream(channel), crc)));
                out.writeInt(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeLong(learner.shuffleSeed());
                out.writeLong(learner.updatesApplied());
                learner.network().writeTo(out);
                learner.optimizer().writeTo(out);
                Map<String, Long> sorted = new TreeMap<>(consumedOffsets);
                out.writeInt(sorted.size());
                for (Map.Entry<String, Long> entry : sorted.entrySet()) {
                    out.writeUTF(Objects.requireNonNull(entry.getKey(), "offset key"));
                    out.writeLong(Objects.requireNonNull(entry.getValue(), "offset value"));
                }
                out.flush();
                // The checksum covers everything before it.
                out.writeLong(crc.getValue());
                out.flush();
                // The contents must be on disk before the name points at them: otherwise a power
                // loss after the rename can leave the new name on a file with missing blocks.
                channel.force(true);
            }
            Files.move(
                    temp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Forces {@code directory}'s entries to disk. The rename lives in the directory, not in the
     * file: until the directory is synced, a power loss can bring back the previous checkpoint (or,
     * on the first save, no checkpoint at all) after the learner went on to announce this version
     * and to read past these offsets, so the restarted learner would train again on records it
     * already applied and publish a version number twice with other weights.
     *
     * <p>Windows does not let a directory be opened as a file (its CreateFile needs
     * FILE_FLAG_BACKUP_SEMANTICS for a directory, which FileChannel does not pass), so there is no
     * directory handle to force: the failure is ignored there only. Everywhere else (Linux, macOS:
     * fsync(2) on a directory is how a rename is made durable) it is an error.
     */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!isWindows()) {
                throw e;
            }
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    /**
     * Restores the checkpoint in {@code file} into a new network and learner that use {@code
     * options}. The caller owns the result and closes it.
     *
     * @throws IOException if the file is missing, corrupt (checksum) or not a learner checkpoint
     */
    public static Restored restore(Path file, UpdateOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < Long.BYTES) {
            throw new IOException("learner checkpoint " + file + " is truncated");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - Long.BYTES);
        DataInputStream trailer =
                new DataInputStream(
                        new ByteArrayInputStream(bytes, bytes.length - Long.BYTES, Long.BYTES));
        long stored = trailer.readLong();
        if (stored != crc.getValue()) {
            throw new IOException(
                    "learner checkpoint "
                            + file
                            + " is corrupt: CRC-32 "
                            + Long.toHexString(crc.getValue())
                            + ", recorded "
                            + Long.toHexString(stored));
        }
        DataInputStream in =
                new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - Long.BYTES));
        int magic = in.readInt();
        int format = in.readInt();
        if (magic != MAGIC || format != FORMAT_VERSION) {
            throw new IOException(
                    String.format(
                            "%s is not a learner checkpoint of format %d (magic 0x%08x, format %d)",
                            file, FORMAT_VERSION, magic, format));
        }
        long shuffleSeed = in.readLong();
        long updatesApplied = in.readLong();
        PolicyNetwork network = PolicyNetwork.readFrom(in);
        try {
            AdamOptimizer optimizer = AdamOptimizer.readFrom(in, network);
            ClippedPolicyGradient learner =
                    new ClippedPolicyGradient(
                            network, options, optimizer, shuffleSeed, updatesApplied);
            int count = in.readInt();
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                offsets.put(in.readUTF(), in.readLong());
            }
            if (in.available() > 0) {
                learner.close();
                throw new IOException(
                        "learner checkpoint " + file + " has " + in.available() + " stray bytes");
            }
            return new Restored(network, learner, Collections.unmodifiableMap(offsets));
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /**
     * A restored learner, its network and the offsets saved with them; closing it frees both.
     *
     * @param network the restored policy network
     * @param learner the restored learner, training {@code network}
     * @param consumedOffsets the offsets saved with them, in key order
     */
    public record Restored(
            PolicyNetwork network, ClippedPolicyGradient learner, Map<String, Long> consumedOffsets)
            implements AutoCloseable {

        /** Frees the learner's and the network's native memory. */
        @Override
        public void close() {
            learner.close();
            network.close();
        }
    }
}
