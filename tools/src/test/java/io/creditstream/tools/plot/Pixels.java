package io.creditstream.tools.plot;

import java.awt.image.BufferedImage;

/** What the plot tests read off a drawn figure. */
public final class Pixels {
    private Pixels() {}

    /** The pixels of exactly colour {@code rgb} (0xRRGGBB) in rows {@code fromY} to {@code toY}. */
    public static int count(BufferedImage image, int rgb, int fromY, int toY) {
        int count = 0;
        for (int y = fromY; y < toY; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
