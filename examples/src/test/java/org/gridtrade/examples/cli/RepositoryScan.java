package org.gridtrade.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds references to files the repository does not contain: the working notes {@code SPEC.md},
 * {@code DESIGN.md}, {@code STYLE.md}, a {@code seeds/} folder, or a source document named by
 * number ("seed 003") instead of by its author. Scans what a reader of the project sees: main
 * sources and resources of every module, the docs, the README, the changelog, the benchmark script
 * and the example scenarios.
 */
public final class RepositoryScan {

  /** What must not appear. "seed" alone (a random seed) is fine; "seed 003" is not. */
  static final Pattern FORBIDDEN =
      Pattern.compile("SPEC\\.md|DESIGN\\.md|STYLE\\.md|\\bseeds/|\\b[Ss]eeds? 00[0-4]\\b");

  /** Directories never entered, wherever they are. */
  private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", ".mvn");

  /** Longest excerpt of a hit's line in a report. */
  private static final int MAX_EXCERPT = 160;

  /** Files scanned, as globs on the path relative to the repository root ('/' separated). */
  private static final List<String> SCANNED =
      List.of(
          "*/src/main/**.{java,properties,json,txt}",
          "docs/**.md",
          "README.md",
          "CHANGELOG.md",
          "benchmarks/run.sh",
          "examples/scenarios/**");

  private RepositoryScan() {}

  /**
   * One forbidden reference.
   *
   * @param file path relative to the scanned root, '/' separated
   * @param line 1-based line number
   * @param text the line, trimmed and shortened
   */
  record Hit(String file, int line, String text) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + text;
    }
  }

  /**
   * The outcome of a scan.
   *
   * @param scannedFiles relative paths of every file read, sorted
   * @param hits every forbidden reference, by file then line
   */
  record Result(List<String> scannedFiles, List<Hit> hits) {}

  /**
   * The repository root: the nearest directory at or above {@code start} that holds both the {@code
   * mvnw} script and the {@code bom} module.
   *
   * @param start where to begin, e.g. the working directory of a module's tests
   * @return the root, absolute and normalised
   * @throws IllegalStateException if no directory above {@code start} qualifies
   */
  static Path findRoot(Path start) {
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("bom"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no directory at or above " + start.toAbsolutePath() + " holds both mvnw and bom/");
  }

  /**
   * Scans the files a reader of the repository sees for forbidden references.
   *
   * @param root the repository root
   * @return the files read and the hits
   * @throws IOException if the tree cannot be walked or a file cannot be read
   */
  static Result scan(Path root) throws IOException {
    FileSystem fs = root.getFileSystem();
    List<PathMatcher> matchers = new ArrayList<>();
    for (String glob : SCANNED) {
      matchers.add(fs.getPathMatcher("glob:" + glob));
    }
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            Path name = dir.getFileName();
            if (!dir.equals(root)
                && name != null
                && SKIPPED_DIRECTORIES.contains(name.toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              Path rel = root.relativize(file);
              for (PathMatcher m : matchers) {
                if (m.matches(rel)) {
                  files.add(file);
                  break;
                }
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
    files.sort(Comparator.comparing(f -> relative(root, f)));
    List<String> scanned = new ArrayList<>();
    List<Hit> hits = new ArrayList<>();
    for (Path file : files) {
      String rel = relative(root, file);
      scanned.add(rel);
      // Lenient decoding: a stray byte must not hide the rest of the file.
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      String[] lines = text.split("\\R", -1);
      for (int i = 0; i < lines.length; i++) {
        if (FORBIDDEN.matcher(lines[i]).find()) {
          hits.add(new Hit(rel, i + 1, excerpt(lines[i])));
        }
      }
    }
    return new Result(List.copyOf(scanned), List.copyOf(hits));
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/");
  }

  private static String excerpt(String line) {
    String t = line.strip();
    return t.length() <= MAX_EXCERPT ? t : t.substring(0, MAX_EXCERPT) + "…";
  }
}
