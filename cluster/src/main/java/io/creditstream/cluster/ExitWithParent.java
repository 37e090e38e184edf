package io.creditstream.cluster;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs a main class and halts this JVM once its standard input ends, that is once the JVM that
 * started it and held the other end of the pipe is gone, even by SIGKILL. A test's cluster thus
 * never outlives the test JVM.
 *
 * <p>Usage: {@code ExitWithParent MAIN_CLASS [ARG…]}.
 */
public final class ExitWithParent {
    /** 128 + SIGTERM, as if stopped. */
    private static final int HALT_STATUS = 143;

    private ExitWithParent() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ExitWithParent MAIN_CLASS [ARG...]");
            System.exit(2);
        }
        Thread watch =
                new Thread(
                        () -> {
                            try {
                                while (System.in.read() != -1) {
                                    // Nothing is ever written; only the end matters.
                                }
                            } catch (IOException e) {
                                // A broken pipe means the same: the parent is gone.
                            }
                            Runtime.getRuntime().halt(HALT_STATUS);
                        },
                        "exit-with-parent");
        watch.setDaemon(true);
        watch.start();
        try {
            Class.forName(args[0])
                    .getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
