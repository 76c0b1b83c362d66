package org.gridtrade.consensus;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;

/**
 * What engine nodes send each other over a {@link Transport}. Blocks and transactions travel in
 * their canonical encodings, as they would on a real network; receivers decode and validate them.
 * Byte arrays are copied in and out.
 */
public sealed interface ConsensusMessage {

  /**
   * A pending transaction, gossiped so any proposer can include it.
   *
   * @param encoded the canonical transaction encoding
   */
  record NewTransaction(byte[] encoded) implements ConsensusMessage {
    public NewTransaction {
      encoded = Objects.requireNonNull(encoded, "encoded").clone();
    }

    @Override
    public byte[] encoded() {
      return encoded.clone();
    }
  }

  /**
   * A freshly sealed block.
   *
   * @param encoded the canonical block encoding
   */
  record NewBlock(byte[] encoded) implements ConsensusMessage {
    public NewBlock {
      encoded = Objects.requireNonNull(encoded, "encoded").clone();
    }

    @Override
    public byte[] encoded() {
      return encoded.clone();
    }
  }

  /**
   * A node's head, sent periodically so that peers that fell behind ask for blocks.
   *
   * @param height the sender's chain height
   * @param head the sender's head hash
   */
  record Status(long height, Hash head) implements ConsensusMessage {
    public Status {
      if (height < 0) {
        throw new IllegalArgumentException("height %d must be >= 0".formatted(height));
      }
      Objects.requireNonNull(head, "head");
    }
  }

  /**
   * Asks a peer for stored blocks.
   *
   * @param fromHeight the first height wanted, 1 or more
   * @param max most blocks wanted, 1 or more
   */
  record BlockRequest(long fromHeight, int max) implements ConsensusMessage {
    public BlockRequest {
      if (fromHeight < 1) {
        throw new IllegalArgumentException("fromHeight %d must be >= 1".formatted(fromHeight));
      }
      if (max < 1) {
        throw new IllegalArgumentException("max %d must be >= 1".formatted(max));
      }
    }
  }

  /**
   * Blocks sent in answer to a {@link BlockRequest}, in height order.
   *
   * @param encoded the canonical block encodings
   */
  record BlockResponse(List<byte[]> encoded) implements ConsensusMessage {
    public BlockResponse {
      encoded = encoded.stream().map(byte[]::clone).toList();
    }

    @Override
    public List<byte[]> encoded() {
      return encoded.stream().map(byte[]::clone).toList();
    }
  }

  /**
   * Equivocation evidence, gossiped so that every node can verify it ({@link Evidence#problem})
   * even if it saw only one of the two blocks: the two headers in their canonical encodings ({@link
   * BlockHeader#encode()}), which is all the seal check needs. A receiver also accepts whole
   * encoded blocks, which nodes of earlier versions send, and checks only their headers.
   *
   * @param first one header's canonical encoding
   * @param second the other header's canonical encoding
   */
  record EvidenceNotice(byte[] first, byte[] second) implements ConsensusMessage {
    public EvidenceNotice {
      first = Objects.requireNonNull(first, "first").clone();
      second = Objects.requireNonNull(second, "second").clone();
    }

    @Override
    public byte[] first() {
      return first.clone();
    }

    @Override
    public byte[] second() {
      return second.clone();
    }
  }
}
