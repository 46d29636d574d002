//! Parse and check: no panic, and every diagnostic located with a code and
//! a help line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{hold, oracle, text};

fuzz_target!(|data: &[u8]| {
    if let Some(source) = text(data) {
        hold(oracle::analysis_is_sound(source));
    }
});
