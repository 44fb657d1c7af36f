//! A fast non-cryptographic hash (FNV-1a) for the reader's level lookups: the keys are
//! short strings from the user's own file, looked up once per field; the same on every
//! platform.

/// FNV-1a, 64-bit.
#[derive(Debug, Default)]
pub struct Fnv1a(u64);

impl std::hash::Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}
