//! The data model: values, dates with precision, names, the schema. No I/O.

pub mod date;
pub mod names;
pub mod packed;
pub mod schema;
pub mod sym;
pub mod temporal;
pub mod value;

pub use date::{FDate, Precision};
pub use packed::PropsRef;
pub use schema::Schema;
pub use sym::{LabelSet, Sym};
pub use temporal::{Duration, Temporal};
pub use value::{NodeId, Path, Props, RelId, Value};
