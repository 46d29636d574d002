//! Formatting: idempotent, and it never changes what `check` concludes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{hold, oracle, text};

fuzz_target!(|data: &[u8]| {
    if let Some(source) = text(data) {
        hold(oracle::formatting_round_trips(source));
    }
});
