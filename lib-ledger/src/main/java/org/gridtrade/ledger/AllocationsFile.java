package org.gridtrade.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A genesis allocations file, streamed: one {@code address,micro-coins} per line (the address in
 * its {@code gt...} form), addresses strictly ascending, amounts above 0; blank lines and {@code #}
 * comments skipped.
 */
final class AllocationsFile {
  private final Path path;
  private final int count;

  private AllocationsFile(Path path, int count) {
    this.path = path;
    this.count = count;
  }

  static AllocationsFile check(Path file) {
    Objects.requireNonNull(file, "allocationsFile");
    int[] n = {0};
    read(file, (a, v) -> n[0]++);
    return new AllocationsFile(file, n[0]);
  }

  Path path() {
    return path;
  }

  int count() {
    return count;
  }

  void forEach(BiConsumer<Address, Long> visitor) {
    int[] n = {0};
    read(
        path,
        (a, v) -> {
          n[0]++;
          visitor.accept(a, v);
        });
    if (n[0] != count) {
      throw new IllegalStateException(
          "allocations file %s changed since it was checked: %d allocations, %d before"
              .formatted(path, n[0], count));
    }
  }

  private static void read(Path file, BiConsumer<Address, Long> visitor) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      Address previous = null;
      long total = 0;
      int line = 0;
      int entries = 0;
      for (String l; (l = r.readLine()) != null; ) {
        line++;
        String t = l.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        int comma = t.indexOf(',');
        if (comma < 0 || t.indexOf(',', comma + 1) >= 0) {
          throw bad(file, line, t, "must be 'address,micro-coins'");
        }
        String addr = t.substring(0, comma).strip();
        String amount = t.substring(comma + 1).strip();
        Address a;
        try {
          a = Address.parse(addr);
        } catch (IllegalArgumentException e) {
          throw bad(file, line, addr, "address: " + e.getMessage());
        }
        long v;
        try {
          v = Long.parseLong(amount);
        } catch (NumberFormatException e) {
          throw bad(file, line, amount, "amount must be a whole number of micro-coins");
        }
        if (v <= 0) {
          throw bad(file, line, amount, "amount must be > 0");
        }
        if (previous != null && previous.compareTo(a) >= 0) {
          throw bad(
              file,
              line,
              addr,
              previous.equals(a)
                  ? "duplicate address"
                  : "addresses must be strictly ascending (after " + previous + ")");
        }
        try {
          total = Math.addExact(total, v);
        } catch (ArithmeticException e) {
          throw bad(file, line, amount, "the allocations' total overflows a long");
        }
        if (++entries == Integer.MAX_VALUE) {
          throw bad(file, line, addr, "too many allocations");
        }
        previous = a;
        visitor.accept(a, v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read allocations file %s: %s".formatted(file, e.getMessage()), e);
    }
  }

  private static IllegalArgumentException bad(Path file, int line, String value, String rule) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return new IllegalArgumentException(
        "allocations file %s line %d: '%s': %s".formatted(file, line, shown, rule));
  }
}
