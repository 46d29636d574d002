//! Build: deterministic, files exactly when `check` accepts, and every
//! emitted file parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{hold, oracle, text};

fuzz_target!(|data: &[u8]| {
    if let Some(source) = text(data) {
        hold(oracle::build_is_sound(source));
    }
});
