//! Reusable pieces protocol packs build on: client workload generators and a server model.

pub mod server;
pub mod workload;

pub use server::{Admit, Server, ServerSpec};
pub use workload::{Generator, KeyPicker};
