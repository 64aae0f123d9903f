//! `concord blob` between two processes over loopback: a verified blob of 256 MiB moved with
//! memory bounded by the pieces in flight, never by the blob.

use crate::common::concord;
use std::{
	io::{BufRead, BufReader, Read, Write},
	process::Stdio,
};

const MIB: usize = 1 << 20;

/// The peak resident memory `/usr/bin/time -v` reports, in KiB.
fn peak_kib(report: &str) -> u64 {
	report
		.lines()
		.find_map(|line| line.trim().strip_prefix("Maximum resident set size (kbytes): "))
		.and_then(|kib| kib.trim().parse().ok())
		.unwrap_or_else(|| panic!("no peak memory in: {report}"))
}

#[test]
fn a_256_mib_blob_moves_between_processes_in_under_64_mib_of_memory() {
	let dir = tempfile::tempdir().unwrap();
	let file = dir.path().join("blob.bin");
	let mut writer = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
	let mut chunk = vec![0u8; MIB];
	for _ in 0..256 {
		getrandom::getrandom(&mut chunk).unwrap();
		writer.write_all(&chunk).unwrap();
	}
	writer.into_inner().unwrap().sync_all().unwrap();
	let source = dir.path().join("source");
	let added = concord()
		.args(["--json", "blob", "add", "--store"])
		.arg(&source)
		.arg(&file)
		.output()
		.unwrap();
	assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
	let added: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
	let blob = added["added"][0]["blob"].as_str().unwrap().to_string();
	assert!(blob.ends_with(&format!(":{}", 256 * MIB)), "{blob}");

	let mut server = crate::common::Process(
		concord()
			.args(["--json", "blob", "serve", "--listen", "/ip4/127.0.0.1/tcp/0", "--store"])
			.arg(&source)
			.stdout(Stdio::piped())
			.stderr(Stdio::null())
			.spawn()
			.unwrap(),
	);
	let mut first = String::new();
	BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut first).unwrap();
	let serving: serde_json::Value = serde_json::from_str(&first).unwrap();
	let address = serving["serving_at"].as_str().unwrap().to_string();

	let output = dir.path().join("fetched.bin");
	let fetch = std::process::Command::new("/usr/bin/time")
		.arg("-v")
		.arg(env!("CARGO_BIN_EXE_concord"))
		.args(["--json", "blob", "fetch", "--from", &address, &blob, "--store"])
		.arg(dir.path().join("sink"))
		.arg("--output")
		.arg(&output)
		.output()
		.expect("/usr/bin/time (Debian's time package; scripts/setup.sh --tests installs it)");
	let report = String::from_utf8_lossy(&fetch.stderr);
	assert!(fetch.status.success(), "{report}");
	let fetched: serde_json::Value = serde_json::from_slice(&fetch.stdout).unwrap();
	assert_eq!(fetched["pieces"], 256);

	let (mut a, mut b) =
		(std::fs::File::open(&file).unwrap(), std::fs::File::open(&output).unwrap());
	let (mut x, mut y) = (vec![0u8; MIB], vec![0u8; MIB]);
	for piece in 0..256 {
		a.read_exact(&mut x).unwrap();
		b.read_exact(&mut y).unwrap();
		assert!(x == y, "MiB {piece} differs");
	}
	assert_eq!(b.read(&mut y).unwrap(), 0, "the copy is longer than the blob");

	let peak = peak_kib(&report);
	let seconds = fetched["seconds"].as_f64().unwrap();
	println!(
		"fetched 256 MiB in {seconds:.2} s ({:.0} MiB/s), peak resident memory {:.1} MiB",
		256.0 / seconds,
		peak as f64 / 1024.0
	);
	assert!(peak < 64 * 1024, "the fetch peaked at {peak} KiB of resident memory");
}
