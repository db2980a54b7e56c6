//! Runs the `mailspect` binary as scripts do: arguments, bytes on standard input, and the
//! output with its exit code.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn mailspect_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary was built for this test");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("writing stdin");
    child.wait_with_output().expect("the binary ran")
}
