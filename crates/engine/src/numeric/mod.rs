//! Numerical building blocks with no statistics of their own: dense linear algebra, the
//! seeded random numbers, rank correlation, hashing, and every tolerance named once.

pub mod correlation;
pub mod hashing;
pub mod linalg;
pub mod rng;
pub mod tolerance;

/// The index of the largest value, the first one on ties (0 for an empty slice): how a
/// reference level, the identifying municipality and the stage-2 reference are chosen
/// (MODEL.md §6: ties to the first in level order).
pub fn index_of_first_maximum<T: PartialOrd>(values: &[T]) -> usize {
    (0..values.len()).fold(0, |best, i| if values[i] > values[best] { i } else { best })
}
