//! A latency histogram any number of threads record into without a lock: log-linear buckets of atomic
//! counters (16 per power of two, so a reported percentile is within about 3% of the true value).
//!
//! Why not `hdrhistogram`: recording into it needs `&mut`, so a shared histogram needs a lock on every
//! request, and its lock-free variant needs a recorder per thread merged by a blocking refresh — awkward
//! for a library called from threads it does not own. Atomic buckets cost three atomic adds per record.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use serde_json::{Value, json};

/// Sub-buckets per power of two.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;
/// Values above this many microseconds (about 12.7 days) count as this.
const MAX_VALUE_US: u64 = (1 << 40) - 1;
const BUCKETS: usize = bucket_of(MAX_VALUE_US) + 1;

/// Microsecond values, recorded from any thread.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    sum_us: AtomicU64,
    max_us: AtomicU64,
}

/// Percentiles read from a [`Histogram`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

const fn bucket_of(value: u64) -> usize {
    if value < SUB {
        return value as usize;
    }
    let top = 63 - value.leading_zeros();
    let shift = top - SUB_BITS;
    // (value >> shift) is in [SUB, 2 * SUB): the leading one and the next SUB_BITS bits.
    (shift as u64 * SUB + (value >> shift)) as usize
}

/// The smallest value and the width of a bucket.
const fn bucket_range(index: usize) -> (u64, u64) {
    let index = index as u64;
    if index < 2 * SUB {
        return (index, 1);
    }
    let shift = index / SUB - 1;
    let mantissa = index % SUB + SUB;
    (mantissa << shift, 1 << shift)
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            sum_us: AtomicU64::new(0),
            max_us: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    pub fn record(&self, elapsed: Duration) {
        let us = u64::try_from(elapsed.as_micros())
            .unwrap_or(u64::MAX)
            .min(MAX_VALUE_US);
        self.buckets[bucket_of(us)].fetch_add(1, Relaxed);
        self.sum_us.fetch_add(us, Relaxed);
        self.max_us.fetch_max(us, Relaxed);
    }

    /// Reads the histogram; with `reset`, each counter is zeroed as it is read (nothing recorded in
    /// between is lost, though a record racing the read may land half in this summary and half in the next).
    pub fn summary(&self, reset: bool) -> Summary {
        let read = |a: &AtomicU64| {
            if reset {
                a.swap(0, Relaxed)
            } else {
                a.load(Relaxed)
            }
        };
        let counts: Vec<u64> = self.buckets.iter().map(read).collect();
        let sum = read(&self.sum_us);
        let max = read(&self.max_us);
        let count: u64 = counts.iter().sum();
        if count == 0 {
            return Summary::default();
        }
        let at = |q: f64| -> u64 {
            let rank = ((q * count as f64).ceil() as u64).clamp(1, count);
            let mut seen = 0;
            for (index, n) in counts.iter().enumerate() {
                seen += n;
                if seen >= rank {
                    let (low, width) = bucket_range(index);
                    return (low + (width - 1) / 2).min(max);
                }
            }
            max
        };
        Summary {
            count,
            mean_us: sum as f64 / count as f64,
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            max_us: max,
        }
    }
}

impl Summary {
    /// `{"count", "mean", "p50", "p90", "p99", "max"}` in milliseconds, to the microsecond.
    pub fn to_json_ms(&self) -> Value {
        let ms = |us: f64| us.round() / 1000.0;
        json!({
            "count": self.count,
            "mean": ms(self.mean_us),
            "p50": ms(self.p50_us as f64),
            "p90": ms(self.p90_us as f64),
            "p99": ms(self.p99_us as f64),
            "max": ms(self.max_us as f64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order_without_gaps() {
        let mut expected_low = 0;
        for index in 0..BUCKETS {
            let (low, width) = bucket_range(index);
            assert_eq!(low, expected_low, "bucket {index}");
            assert_eq!(bucket_of(low), index);
            assert_eq!(bucket_of(low + width - 1), index);
            // At most 1/16 of the value wide: the error bound the module promises.
            assert!(
                width == 1 || width * SUB <= low,
                "bucket {index}: {low}+{width}"
            );
            expected_low = low + width;
        }
        assert_eq!(expected_low, MAX_VALUE_US + 1);
    }

    #[test]
    fn percentiles_are_within_the_bucket_error() {
        let h = Histogram::default();
        for us in 1..=10_000u64 {
            h.record(Duration::from_micros(us));
        }
        let s = h.summary(false);
        assert_eq!(s.count, 10_000);
        assert_eq!(s.max_us, 10_000);
        assert!((s.mean_us - 5000.5).abs() < 1e-9);
        for (got, want) in [(s.p50_us, 5000.0), (s.p90_us, 9000.0), (s.p99_us, 9900.0)] {
            let error = (got as f64 - want).abs() / want;
            assert!(error < 0.035, "{got} vs {want}");
        }
    }

    #[test]
    fn small_values_are_exact_and_huge_ones_are_capped() {
        let h = Histogram::default();
        for us in [3, 3, 3, 7] {
            h.record(Duration::from_micros(us));
        }
        let s = h.summary(false);
        assert_eq!((s.p50_us, s.p90_us, s.max_us), (3, 7, 7));
        h.record(Duration::from_secs(u64::MAX));
        assert_eq!(h.summary(false).max_us, MAX_VALUE_US);
    }

    #[test]
    fn reset_takes_the_counts() {
        let h = Histogram::default();
        h.record(Duration::from_millis(5));
        assert_eq!(h.summary(true).count, 1);
        assert_eq!(h.summary(false), Summary::default());
        let json = Summary::default().to_json_ms();
        assert_eq!(json["count"], 0);
        assert_eq!(json["p99"], 0.0);
    }
}
