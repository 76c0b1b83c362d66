package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository stands alone: its main sources and docs cite the source documents by author and
 * equation, and never send a reader to a file it does not contain.
 */
public class RepositoryStandsAloneTest {

  @Test
  void repository_mainSourcesAndDocs_referToNoMissingFile() throws IOException {
    Path root = RepositoryScan.findRoot(Path.of(""));
    RepositoryScan.Result result = RepositoryScan.scan(root);

    // The scan must have seen the repository, or an empty hit list proves nothing.
    assertThat(result.scannedFiles())
        .contains(
            "README.md",
            "docs/auction.md",
            "benchmarks/run.sh",
            "examples/src/main/java/org/gridtrade/examples/cli/GridTradeCommand.java",
            "lib-auction/src/main/java/org/gridtrade/auction/DemandResponseAuction.java");
    assertThat(result.scannedFiles()).noneMatch(f -> f.contains("/target/"));
    assertTrue(
        result.hits().isEmpty(),
        () ->
            result.hits().size()
                + " reference(s) to files the repository does not contain; cite the source"
                + " document by author and equation (e.g. \"Aggarwal Eq. 4.18\") and state resolved"
                + " equations in docs/:\n"
                + result.hits().stream().map(Object::toString).collect(Collectors.joining("\n")));
  }

  @Test
  void scan_plantedReferences_reportsEachWithFileAndLine(@TempDir Path root) throws IOException {
    write(root, "mvnw", "#!/bin/sh\n");
    Files.createDirectories(root.resolve("bom"));
    write(
        root,
        "lib-x/src/main/java/org/x/X.java",
        "package org.x;\n\n/** Implements SPEC.md §1.3. */\nclass X {}\n");
    write(root, "lib-x/src/main/resources/x.properties", "a=1\nnote=see DESIGN.md\n");
    write(root, "docs/a.md", "# A\nAs seed 003 §IV says.\n");
    write(root, "docs/deep/b.md", "Ok.\nSee STYLE.md.\n");
    write(root, "README.md", "# R\n\nRead seeds/000_x.txt\nSeeds 004 and 001.\n");
    write(root, "CHANGELOG.md", "- cite Seed 002\n");
    write(root, "benchmarks/run.sh", "#!/bin/sh\n# SPEC.md\n");
    write(root, "examples/scenarios/s.json", "{\"note\": \"like seed 001\"}\n");
    // Out of scope, or not a reference: none of these may be reported.
    write(root, "lib-x/target/classes/Y.java", "SPEC.md\n");
    write(root, "lib-x/src/test/java/T.java", "// SPEC.md\n");
    write(root, ".git/info.md", "SPEC.md\n");
    write(root, ".mvn/wrapper/note.txt", "SPEC.md\n");
    write(
        root, "lib-x/src/main/java/org/x/Z.java", "// --seed 3, the seed of the draw, seed 0001\n");
    write(root, "notes.md", "SPEC.md\n");
    write(root, "lib-x/src/main/java/org/x/img.png", "SPEC.md\n");

    RepositoryScan.Result result = RepositoryScan.scan(root);

    assertThat(result.hits())
        .extracting(h -> h.file() + ":" + h.line())
        .containsExactly(
            "CHANGELOG.md:1",
            "README.md:3",
            "README.md:4",
            "benchmarks/run.sh:2",
            "docs/a.md:2",
            "docs/deep/b.md:2",
            "examples/scenarios/s.json:1",
            "lib-x/src/main/java/org/x/X.java:3",
            "lib-x/src/main/resources/x.properties:2");
    assertThat(result.hits().get(0).toString()).isEqualTo("CHANGELOG.md:1: - cite Seed 002");
    assertThat(result.scannedFiles()).contains("lib-x/src/main/java/org/x/Z.java");
    assertThat(result.scannedFiles())
        .doesNotContain(
            "lib-x/target/classes/Y.java",
            "lib-x/src/test/java/T.java",
            "notes.md",
            ".git/info.md");
  }

  @Test
  void findRoot_fromNestedDirectory_findsFolderWithMvnwAndBom(@TempDir Path dir)
      throws IOException {
    write(dir, "repo/mvnw", "#!/bin/sh\n");
    Files.createDirectories(dir.resolve("repo/bom"));
    // A module holding an mvnw of its own but no bom/ is not the root.
    write(dir, "repo/examples/mvnw", "#!/bin/sh\n");
    Path nested = Files.createDirectories(dir.resolve("repo/examples/src/test"));

    assertThat(RepositoryScan.findRoot(nested)).isEqualTo(dir.resolve("repo").toAbsolutePath());
  }

  @Test
  void findRoot_withoutMarkers_failsNamingTheStart(@TempDir Path dir) throws IOException {
    Path start = Files.createDirectories(dir.resolve("a/b"));

    assertThatThrownBy(() -> RepositoryScan.findRoot(start))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(start.toString())
        .hasMessageContaining("mvnw");
  }

  private static void write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }
}
