//! Reusable pieces protocol packs build on: client workload generators, a server model, and the
//! bookkeeping of key-value clients that record a history.

pub mod ops;
pub mod server;
pub mod workload;

pub use ops::{OpBook, OpenOp};
pub use server::{Admit, Server, ServerSpec};
pub use workload::{Generator, KeyPicker};
