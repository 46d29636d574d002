//! M0xx, internal: meshc's own inconsistencies, which no input should
//! cause. Each is reported instead of writing a file built on a silent
//! fallback, and tested by corrupting the model in a unit test (no `.mesh`
//! example can yield one).

pub mod internal_error;
