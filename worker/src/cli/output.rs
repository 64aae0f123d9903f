//! How a command prints: for people, or one JSON document for scripts (`--json`).

use serde_json::Value;

/// How a command prints its result: for people, or as one JSON document (`--json`).
#[derive(Clone, Copy, Debug)]
pub struct Output {
	pub json: bool,
}

impl Output {
	/// Prints the result: `human` for people, `value` with `--json`.
	pub fn print(self, human: impl std::fmt::Display, value: Value) {
		if self.json {
			println!("{value}");
		} else {
			println!("{human}");
		}
	}

	/// A line of the result on stdout, for people only (a table's row, say); with `--json` the
	/// document printed at the end carries it.
	pub fn line(self, line: impl std::fmt::Display) {
		if !self.json {
			println!("{line}");
		}
	}

	/// A progress line on stderr, for people only: `--json` keeps stderr for errors.
	pub fn progress(self, line: impl std::fmt::Display) {
		if !self.json {
			eprintln!("{line}");
		}
	}

	/// A progress report that replaces the last one: on a terminal, redrawn in place on one
	/// line; otherwise (a log, a pipe) one plain line each; nothing with `--json`.
	pub fn status(self, line: impl std::fmt::Display) {
		use std::io::{IsTerminal, Write};
		if self.json {
			return;
		}
		let mut stderr = std::io::stderr();
		if stderr.is_terminal() {
			let _ = write!(stderr, "\r\x1b[2K{line}");
			let _ = stderr.flush();
		} else {
			let _ = writeln!(stderr, "{line}");
		}
	}

	/// Ends a run of [`Output::status`] lines, so what follows starts on a line of its own.
	pub fn end_status(self) {
		use std::io::IsTerminal;
		if !self.json && std::io::stderr().is_terminal() {
			eprintln!();
		}
	}
}

/// `[#####.....]`: how far `done` is through `total`.
pub fn bar(done: u32, total: u32) -> String {
	const WIDTH: u32 = 20;
	let filled = (done.min(total) * WIDTH).checked_div(total).unwrap_or(WIDTH);
	format!("[{}{}]", "#".repeat(filled as usize), ".".repeat((WIDTH - filled) as usize))
}

#[cfg(test)]
mod tests {
	#[test]
	fn a_bar_fills_with_progress() {
		assert_eq!(super::bar(0, 10), "[....................]");
		assert_eq!(super::bar(5, 10), "[##########..........]");
		assert_eq!(super::bar(12, 10), "[####################]");
		assert_eq!(super::bar(1, 0), "[####################]");
	}
}
