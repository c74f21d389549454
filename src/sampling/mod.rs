//! Random streams and the copula's correlation matrix.
//!
//! Reproducibility contract: draws are made in blocks of [`BLOCK`]; block `b`
//! uses its own ChaCha8 stream ([`block_rng`]), so the numbers a block sees do
//! not depend on which thread runs it or in what order. Same scenario, same
//! seed, same draws: byte-identical results for any thread count.

pub mod correlation;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Draws per block. Part of the reproducibility contract: changing it
/// changes every result.
pub const BLOCK: usize = 8192;

/// The generator, named so that results can be reproduced elsewhere.
pub const GENERATOR: &str = "ChaCha8 (rand_chacha 0.10): key = seed as 8 little-endian bytes then 24 zero bytes, stream = block index";

/// The stream for block `block`: ChaCha8 keyed by the seed, with the block
/// index as its 64-bit stream number.
pub fn block_rng(seed: u64, block: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(block);
    rng
}

/// Streams beside the block's own, one per purpose, so that adding a
/// pipeline or peers to a scenario leaves every other draw unchanged.
pub const PURPOSE_PIPELINE: u64 = 1;
pub const PURPOSE_PEERS: u64 = 2;

/// The stream for `purpose` in block `block`: ChaCha8 keyed by the seed in
/// bytes 0..8 and the purpose in bytes 8..16 (the block's own stream has
/// zeros there), with the block index as its stream number.
pub fn purpose_rng(seed: u64, block: u64, purpose: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&purpose.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(block);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn each_block_has_its_own_stream_and_streams_repeat() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(block_rng(7, 0), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(block_rng(7, 0), |r, _: u64| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(block_rng(7, 1), |r, _: u64| Some(r.next_u64()))
            .collect();
        let d: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(block_rng(8, 0), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
