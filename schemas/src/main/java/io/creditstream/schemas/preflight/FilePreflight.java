package io.creditstream.schemas.preflight;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The file checks commands make before they start: that the directories and files they will write
 * can be written, and that the files they read can be read. Each failure is one line naming the
 * flag and the path, thrown as a {@link PreflightException} with {@link ExitCode#FILES} (or {@link
 * ExitCode#USAGE} for an input that does not exist).
 */
public final class FilePreflight {
    private static final String PROBE_PREFIX = ".creditstream-write-check-";

    private FilePreflight() {}

    /**
     * Creates {@code dir} when absent (with its parents) and proves it writable by creating and
     * deleting a file in it: permission bits alone do not tell (a read-only mount, ACLs, root).
     *
     * @param what how the user named it, e.g. {@code --checkpoint-dir} or {@code the checkpoint
     *     directory (--checkpoint-dir)}
     * @return the directory, absolute
     * @throws PreflightException ({@link ExitCode#FILES}) when it cannot be created or written
     */
    public static Path writableDirectory(Path dir, String what) {
        Path absolute = dir.toAbsolutePath().normalize();
        String problem = directoryProblem(absolute);
        if (problem != null) {
            throw new PreflightException(
                    ExitCode.FILES, "cannot write to " + what + " " + absolute + ": " + problem);
        }
        return absolute;
    }

    /**
     * Checks that {@code file} can be written: its directory is created when absent and must be
     * writable, and the file itself must not be a directory (an existing file is replaced, so it
     * must be writable too).
     *
     * @param what how the user named it, e.g. {@code --output}
     * @return whether the file exists already (and will be replaced)
     * @throws PreflightException ({@link ExitCode#FILES}) when it cannot be written
     */
    public static boolean writableFile(Path file, String what) {
        Path absolute = file.toAbsolutePath().normalize();
        String problem = null;
        if (Files.isDirectory(absolute)) {
            problem = "it is a directory; name a file";
        } else {
            Path parent = absolute.getParent();
            if (parent != null) {
                problem = directoryProblem(parent);
            }
            if (problem == null && Files.exists(absolute) && !Files.isWritable(absolute)) {
                problem = "it exists and is not writable";
            }
        }
        if (problem != null) {
            throw new PreflightException(
                    ExitCode.FILES, "cannot write " + what + " " + absolute + ": " + problem);
        }
        return Files.exists(absolute);
    }

    /**
     * Checks that {@code file} is a file this process can read.
     *
     * @param what how the user named it, e.g. {@code --input}
     * @throws PreflightException {@link ExitCode#USAGE} when it does not exist or is not a file,
     *     {@link ExitCode#FILES} when it cannot be read
     */
    public static Path readableFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new PreflightException(
                    ExitCode.USAGE, what + " " + file + " does not exist or is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new PreflightException(
                    ExitCode.FILES, "cannot read " + what + " " + file + ": permission denied");
        }
        return file;
    }

    /** Why {@code dir} cannot be created or written, or null when it can. */
    private static String directoryProblem(Path dir) {
        // A file where a directory should be: named plainly, before createDirectories says less.
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    return p + " is a file, not a directory";
                }
                break;
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return reason(e);
        }
        try {
            Files.delete(Files.createTempFile(dir, PROBE_PREFIX, ".tmp"));
        } catch (IOException e) {
            return "it is not writable (" + reason(e) + ")";
        }
        return null;
    }

    /** What went wrong, in words; the JDK's exception messages are often only a path. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied on " + denied.getFile();
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return exists.getFile() + " is a file, not a directory";
        }
        if (e instanceof NotDirectoryException notDirectory) {
            return notDirectory.getFile() + " is not a directory";
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + " does not exist";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason() + (fs.getFile() != null ? " (" + fs.getFile() + ")" : "");
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
