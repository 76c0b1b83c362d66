package org.gridtrade.game.stackelberg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads and writes EV fleets as CSV, so that real meter data can replace the generator.
 *
 * <p>Format: a header line {@code id,start,end,energy,alphaMin,alphaMax}, then one EV per line;
 * hours are indices 0..23 with 0 = 08:00 and {@code end} inclusive; energy in kWh; blank lines and
 * lines starting with {@code #} are skipped. Numbers use a dot as decimal separator whatever the
 * locale. Stateless and thread-safe.
 */
public final class EvCsv {
  /** The header line. */
  public static final String HEADER = "id,start,end,energy,alphaMin,alphaMax";

  private EvCsv() {}

  /**
   * Reads a fleet.
   *
   * @param in the CSV text
   * @return the EVs in file order
   * @throws IllegalArgumentException naming the line when the header, a field or an EV is bad
   * @throws UncheckedIOException when reading fails
   */
  public static List<Ev> read(Reader in) {
    Objects.requireNonNull(in, "in");
    List<Ev> evs = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(in)) {
      String line;
      int no = 0;
      boolean header = false;
      while ((line = r.readLine()) != null) {
        no++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        if (!header) {
          if (!t.replace(" ", "").equalsIgnoreCase(HEADER)) {
            throw new IllegalArgumentException(
                "line %d: header '%s' must be '%s'".formatted(no, t, HEADER));
          }
          header = true;
          continue;
        }
        String[] f = t.split(",", -1);
        if (f.length != 6) {
          throw new IllegalArgumentException(
              "line %d: %d fields, expected 6 (%s)".formatted(no, f.length, HEADER));
        }
        try {
          evs.add(
              new Ev(
                  f[0].strip(),
                  Integer.parseInt(f[1].strip()),
                  Integer.parseInt(f[2].strip()),
                  Double.parseDouble(f[3].strip()),
                  Double.parseDouble(f[4].strip()),
                  Double.parseDouble(f[5].strip())));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("line %d: %s".formatted(no, e.getMessage()), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(evs);
  }

  /**
   * Writes a fleet in the format {@link #read} accepts.
   *
   * @param evs the EVs
   * @return the CSV text
   */
  public static String write(List<Ev> evs) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (Ev ev : evs) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%d,%s,%s,%s\n",
              ev.id(),
              ev.start(),
              ev.end(),
              ev.energy(),
              ev.alphaMin(),
              ev.alphaMax()));
    }
    return sb.toString();
  }
}
