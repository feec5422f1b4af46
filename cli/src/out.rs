//! Standard output that survives its reader leaving.
//!
//! `println!` panics when stdout is a closed pipe (`dsplay trace r1 | head`): Rust programs ignore
//! SIGPIPE, and restoring the default handler would take `unsafe`, which this workspace forbids.
//! So the commands print through [`outln!`] and [`out!`]: a closed pipe ends the program quietly
//! with status 141, what a shell reports for `cat` or `grep` killed by SIGPIPE; any other write
//! error (a full disk) is one line on stderr and status 2, like every other failure here.

use std::fmt;
use std::io::{self, ErrorKind, Write};

/// Like `print!`, on stdout, through [`write`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*), false) };
}

/// Like `println!`, on stdout, through [`write`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*), true) };
}

pub(crate) use {out, outln};

/// Status of a process whose reader went away (128 + SIGPIPE).
const CLOSED_PIPE: i32 = 141;

pub fn write(args: fmt::Arguments<'_>, newline: bool) {
    let mut stdout = io::stdout().lock();
    let written =
        stdout.write_fmt(args).and_then(|()| if newline { stdout.write_all(b"\n") } else { Ok(()) });
    if let Err(e) = written {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(CLOSED_PIPE);
        }
        eprintln!("dsplay: cannot write the output: {e}");
        std::process::exit(2);
    }
}
