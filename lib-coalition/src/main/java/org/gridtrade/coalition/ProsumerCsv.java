package org.gridtrade.coalition;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads prosumers from CSV text. The format: a header line {@code id,production,consumption,x,y}
 * (columns in this order, names case-insensitive), then one prosumer per line; energies in kWh,
 * coordinates in km, decimal points (never commas), no quoting. Blank lines and lines starting with
 * {@code #} are skipped. Every problem is an {@link IllegalArgumentException} naming the line, the
 * column and the value. Stateless and thread-safe.
 *
 * <pre>{@code
 * id,production,consumption,x,y
 * P0,10.5,3.2,4.0,7.5
 * P1,0,12.4,12.0,3.0
 * }</pre>
 */
public final class ProsumerCsv {
  private static final String[] HEADER = {"id", "production", "consumption", "x", "y"};

  private ProsumerCsv() {}

  /**
   * Parses prosumers.
   *
   * @param in the CSV text
   * @return the prosumers in file order (the caller validates them as a {@link Community})
   * @throws IllegalArgumentException on a bad header, a short line or a bad number
   * @throws UncheckedIOException if reading fails
   */
  public static List<Prosumer> read(Reader in) {
    List<Prosumer> out = new ArrayList<>();
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
        String[] f = t.split(",", -1);
        if (!header) {
          if (f.length != HEADER.length) {
            throw new IllegalArgumentException(
                "line %d: header '%s' must be %s".formatted(no, t, String.join(",", HEADER)));
          }
          for (int k = 0; k < HEADER.length; k++) {
            if (!f[k].strip().toLowerCase(Locale.ROOT).equals(HEADER[k])) {
              throw new IllegalArgumentException(
                  "line %d: header column %d is '%s'; expected '%s'"
                      .formatted(no, k + 1, f[k].strip(), HEADER[k]));
            }
          }
          header = true;
          continue;
        }
        if (f.length != HEADER.length) {
          throw new IllegalArgumentException(
              "line %d: %d columns; expected %d (%s)"
                  .formatted(no, f.length, HEADER.length, String.join(",", HEADER)));
        }
        double[] v = new double[4];
        for (int k = 1; k < 5; k++) {
          String s = f[k].strip();
          try {
            v[k - 1] = Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "line %d: %s '%s' is not a number".formatted(no, HEADER[k], s), e);
          }
        }
        try {
          out.add(new Prosumer(f[0].strip(), v[0], v[1], v[2], v[3]));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("line %d: %s".formatted(no, e.getMessage()), e);
        }
      }
      if (!header) {
        throw new IllegalArgumentException(
            "no header line; expected %s".formatted(String.join(",", HEADER)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
