package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzz targets (Jazzer) for every public decoder of the ledger. Each checks the
 * decoder's contract on arbitrary bytes: it returns a value or throws the documented exception; any
 * other throwable (an unchecked exception, a stack overflow, running out of memory) fails the
 * target. A decoded value re-encodes to exactly the input: every encoding is canonical.
 *
 * <p>Without {@code JAZZER_FUZZ} (a plain {@code ./mvnw verify} default test run) each target
 * replays its inputs under {@code src/test/resources/org/gridtrade/ledger/
 * LedgerDecodersFuzzTestInputs/<method>/}: valid encodings written by {@link SeedCorpus} and the
 * inputs of earlier findings. The module's build then fuzzes each target for {@code
 * ${jazzer.duration}} in its own surefire execution; see docs/security.md, "Fuzzing".
 */
class LedgerDecodersFuzzTest {

  /** The fixed prefix a transaction body shares up to its payload tag: version .. fee. */
  static final int BODY_PREFIX = Codec.PAYLOAD_TAG_OFFSET;

  private static final byte[] SIGNATURE = new byte[Signature.LENGTH];

  @FuzzTest
  void decodeTransaction_anyBytes_canonicalOrRejected(byte[] bytes) {
    decodeTransactionOrReject(bytes);
  }

  /** The body alone is fuzzed; a fixed signature is appended, so mutations reach every field. */
  @FuzzTest
  void decodeTransactionBody_anyBody_canonicalOrRejected(byte[] body) {
    Optional<Transaction> tx = decodeTransactionOrReject(Codec.concat(body, SIGNATURE));
    tx.ifPresent(t -> assertThat(Codec.encodeBody(t.body())).isEqualTo(body));
  }

  /**
   * The payload (tag first) alone is fuzzed, behind a fixed well-formed body prefix and before a
   * fixed signature.
   */
  @FuzzTest
  void decodePayload_anyPayload_canonicalOrRejected(byte[] payload) {
    byte[] prefix = Codec.encodeBody(SeedCorpus.transfer().body());
    byte[] bytes =
        Codec.concat(Codec.concat(Arrays.copyOf(prefix, BODY_PREFIX), payload), SIGNATURE);
    Optional<Transaction> tx = decodeTransactionOrReject(bytes);
    tx.ifPresent(t -> assertThat(t.body().payload().tag()).isEqualTo(payload[0] & 0xff));
  }

  private static final LedgerState PROOF_STATE = SeedCorpus.proofState();

  /**
   * A state proof decodes to its one canonical encoding or is rejected with a message; a decoded
   * proof verifies or not against the fixed state's root without throwing, and verifies only if
   * what it proves is what the state holds.
   */
  @FuzzTest
  void decodeStateProof_anyBytes_canonicalOrRejected(byte[] bytes) {
    StateProof p;
    try {
      p = StateProof.decode(bytes);
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(p.encode()).isEqualTo(bytes);
    if (p.verify(PROOF_STATE.root(), p.key())) {
      Optional<byte[]> held = PROOF_STATE.get(p.key());
      assertThat(p.value().isPresent()).isEqualTo(held.isPresent());
      held.ifPresent(v -> assertThat(p.value().orElseThrow()).isEqualTo(v));
    }
  }

  @FuzzTest
  void decodeBlock_anyBytes_canonicalOrRejected(byte[] bytes) {
    Block b;
    try {
      b = Block.decode(bytes);
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(b.encode()).isEqualTo(bytes);
    byte[] header = b.header().encode();
    assertThat(Arrays.copyOf(bytes, header.length)).isEqualTo(header);
    assertThat(b.hash()).isEqualTo(Hash.sha256(header));
    assertThat(b.transactions()).hasSize(b.header().transactionCount());
  }

  /**
   * A header has no decoder of its own: it is decoded as the front of a block. The header alone is
   * fuzzed, followed by a transaction count of 0.
   */
  @FuzzTest
  void decodeBlockHeader_anyHeader_canonicalOrRejected(byte[] header) {
    Block b;
    try {
      b = Block.decode(Codec.concat(header, new byte[4]));
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(b.header().encode()).isEqualTo(header);
    assertThat(b.transactions()).isEmpty();
    assertThat(b.header().sealingHash()).isEqualTo(b.header().withSeal(new byte[0]).hash());
  }

  @FuzzTest
  void decodeGenesis_anyBytes_canonicalOrRejected(byte[] bytes) {
    Genesis g;
    try {
      g = Genesis.decode(bytes);
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(g.encode()).isEqualTo(bytes);
    assertThat(g.block().height()).isZero();
  }

  /**
   * A decoded proof re-encodes canonically, and checking it against a real tree answers without
   * throwing; an RFC 6962 inclusion proof for a given root and tree size is unique, so one that
   * verifies for the tree's size is the tree's own proof.
   */
  @FuzzTest
  void decodeInclusionProof_anyBytes_canonicalAndVerifyAnswers(byte[] bytes) {
    InclusionProof p;
    try {
      p = InclusionProof.decode(bytes);
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(p.encode()).isEqualTo(bytes);
    MerkleTree tree = SeedCorpus.tree();
    int leaf = (int) Math.floorMod(p.leafIndex(), (long) tree.size());
    boolean ok = p.verify(tree.leafHash(leaf), tree.root());
    if (ok && p.treeSize() == tree.size()) {
      // A root stands for a tree of one size: the proof for another size may verify too (the
      // input size-10-proof-against-an-11-leaf-root), but the proof for this size is unique.
      assertThat(p).isEqualTo(tree.inclusionProof(leaf));
    }
    p.verify(Hash.ZERO, Hash.ZERO);
  }

  /**
   * A consistency proof has no byte encoding; it is built from fuzzed sizes and path through its
   * public constructor (documented to refuse negative sizes and long paths) and checked against
   * roots of a real tree: verify answers for any proof, and one that verifies between the tree's
   * own roots is the tree's own proof.
   */
  @FuzzTest
  void verifyConsistencyProof_anyProof_answersWithoutThrowing(FuzzedDataProvider data) {
    MerkleTree tree = SeedCorpus.tree();
    boolean small = data.consumeBoolean();
    long oldSize = small ? data.consumeLong(-1, tree.size() + 1) : data.consumeLong();
    long newSize = small ? tree.size() : data.consumeLong();
    int n = data.consumeInt(0, ConsistencyProof.MAX_PATH_LENGTH + 2);
    List<Hash> path = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      path.add(Hash.of(padded(data.consumeBytes(Hash.LENGTH))));
    }
    ConsistencyProof p;
    try {
      p = new ConsistencyProof(oldSize, newSize, path);
    } catch (IllegalArgumentException e) {
      assertThat(oldSize < 0 || newSize < 0 || n > ConsistencyProof.MAX_PATH_LENGTH).isTrue();
      return;
    }
    Hash oldRoot =
        oldSize >= 1 && oldSize <= tree.size()
            ? MerkleTree.ofLeafHashes(leafHashes(tree, (int) oldSize)).root()
            : Hash.of(padded(data.consumeBytes(Hash.LENGTH)));
    boolean ok = p.verify(oldRoot, tree.root());
    if (ok && small && oldSize >= 1 && oldSize < tree.size()) {
      assertThat(p).isEqualTo(tree.consistencyProof((int) oldSize));
    }
  }

  /**
   * Keystore files: the header check on any bytes, and decryption where the file's scrypt cost is
   * small (at most 1 MiB of work), so each input takes milliseconds; costlier parameters are
   * checked against their bounds by the header check alone.
   */
  @FuzzTest
  void decryptKeystore_anyBytes_keyOrKeystoreException(byte[] bytes) {
    PublicKey claimed;
    try {
      claimed = Keystore.publicKey(bytes);
    } catch (KeystoreException e) {
      assertThat(e.reason()).isEqualTo(KeystoreException.Reason.MALFORMED);
      assertThatThrownBy(() -> Keystore.decrypt(bytes, SeedCorpus.PASSWORD))
          .isInstanceOf(KeystoreException.class);
      return;
    }
    Keystore.Params params = new Keystore.Params(bytes[5] & 0xff, bytes[6] & 0xff, bytes[7] & 0xff);
    if (params.memoryBytes() * params.p() > (1 << 20)) {
      return;
    }
    try {
      KeyPair key = Keystore.decrypt(bytes, SeedCorpus.PASSWORD);
      assertThat(key.publicKey()).isEqualTo(claimed);
    } catch (KeystoreException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  /**
   * The text parsers, {@link Address#parse} and {@link Hash#fromHex}, on any UTF-8 text (malformed
   * bytes become replacement characters): a value whose text form is the input up to the case of
   * its hex digits, or the documented {@link IllegalArgumentException}.
   */
  @FuzzTest
  void parseText_anyText_valueOrIllegalArgument(byte[] utf8) {
    String text = new String(utf8, StandardCharsets.UTF_8);
    try {
      assertThat(Address.parse(text).toString()).isEqualToIgnoringCase(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("address '");
    }
    try {
      assertThat(Hash.fromHex(text).toHex()).isEqualToIgnoringCase(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("hash hex ");
    }
  }

  /** The committed valid inputs are still what {@link SeedCorpus} writes, byte for byte. */
  @Test
  void seedCorpus_validFiles_matchTheCurrentEncodings() throws Exception {
    Path root = Path.of(getClass().getResource("LedgerDecodersFuzzTestInputs").toURI());
    for (Map.Entry<String, List<byte[]>> e : SeedCorpus.inputs().entrySet()) {
      List<byte[]> expected = e.getValue();
      for (int i = 0; i < expected.size(); i++) {
        Path file = root.resolve(e.getKey()).resolve("valid-%02d".formatted(i));
        assertThat(Files.readAllBytes(file)).as(file.toString()).isEqualTo(expected.get(i));
      }
    }
  }

  private static Optional<Transaction> decodeTransactionOrReject(byte[] bytes) {
    Transaction tx;
    try {
      tx = Transaction.decode(bytes);
    } catch (DecodeException e) {
      assertThat(e.getMessage()).isNotBlank();
      return Optional.empty();
    }
    assertThat(tx.encode()).isEqualTo(bytes);
    assertThat(tx.encodedLength()).isEqualTo(bytes.length);
    tx.signatureProblem(); // answers for any decoded transaction
    return Optional.of(tx);
  }

  private static List<Hash> leafHashes(MerkleTree tree, int n) {
    List<Hash> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(tree.leafHash(i));
    }
    return out;
  }

  private static byte[] padded(byte[] b) {
    return Arrays.copyOf(b, Hash.LENGTH);
  }
}
