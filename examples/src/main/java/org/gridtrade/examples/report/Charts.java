package org.gridtrade.examples.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes XChart charts as PNG or SVG, chosen by the file name's extension. Rendering runs headless,
 * so charts can be written on servers and in CI.
 */
public final class Charts {
  private Charts() {}

  /**
   * Checks that a chart file name ends in {@code .png} or {@code .svg}.
   *
   * @param file the file
   * @return true for SVG, false for PNG
   * @throws IllegalArgumentException for any other extension
   */
  public static boolean isSvg(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".svg")) {
      return true;
    }
    if (name.endsWith(".png")) {
      return false;
    }
    throw new IllegalArgumentException(
        "chart file '%s' must end in .png or .svg".formatted(file.getFileName()));
  }

  /**
   * Writes a chart, creating parent directories.
   *
   * @param chart the chart
   * @param file where, ending in .png or .svg
   * @throws IOException if the file cannot be written
   */
  public static void write(Chart<?, ?> chart, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    boolean svg = isSvg(file);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      if (svg) {
        VectorGraphicsEncoder.saveVectorGraphic(
            chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      } else {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      }
    }
  }
}
