package io.creditstream.streams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on a checkpoint directory, held by one {@code creditstream run} for its
 * whole life.
 *
 * <p>Two live runs on one checkpoint directory resume from the same checkpoints with the same
 * transactional ids, so each would fence the other's Kafka producers and abort its output. The lock
 * is an OS file lock ({@link FileChannel#tryLock()}) on {@value #FILE_NAME} in the directory, not
 * the mere existence of a file: the OS drops it when the process ends however it ends, so a restart
 * after {@code kill -9} is never refused. The holder writes its PID into the file, for the message
 * the next run prints.
 */
public final class CheckpointDirectoryLock implements AutoCloseable {
    /** The lock file's name inside the checkpoint directory. */
    public static final String FILE_NAME = "creditstream-run.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private CheckpointDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code directory} (created when absent) without waiting.
     *
     * @throws HeldException when another live process (or this one) holds it
     */
    public static CheckpointDirectoryLock acquire(Path directory) throws IOException {
        Path dir = Files.createDirectories(directory.toAbsolutePath());
        Path file = dir.resolve(FILE_NAME);
        // No TRUNCATE_EXISTING: the holder's PID must survive a refused attempt to read it.
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // The JVM tracks its own locks: this process already holds it.
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new HeldException(dir, holder);
        }
        try {
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap(
                            (ProcessHandle.current().pid() + "\n")
                                    .getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new CheckpointDirectoryLock(file, channel, lock);
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays, and the next holder overwrites its PID. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            int read = channel.read(buffer, 0);
            String pid =
                    read <= 0
                            ? ""
                            : new String(buffer.array(), 0, read, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? null : pid;
        } catch (IOException e) {
            return null;
        }
    }

    /** Another live process holds the lock; the message names the directory and its PID. */
    public static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;
        private final Path directory;
        private final String pid;

        HeldException(Path directory, String pid) {
            super(
                    "checkpoint directory "
                            + directory
                            + " is in use by another creditstream run (pid "
                            + (pid == null ? "not yet written" : pid)
                            + ", lock file "
                            + directory.resolve(FILE_NAME)
                            + "): two runs resuming from one checkpoint directory write with"
                            + " the same transactional ids and fence each other. Stop that run"
                            + " first, or give this one another --checkpoint-dir.");
            this.directory = directory;
            this.pid = pid;
        }

        public Path directory() {
            return directory;
        }

        /** The holder's PID as it wrote it, or null when it has not written it yet. */
        public String pid() {
            return pid;
        }
    }
}
