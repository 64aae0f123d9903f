//! `concord blob` between processes over loopback: a verified blob of 256 MiB moved with
//! memory bounded by the pieces in flight, never by the blob, and a fetch killed part way
//! resuming from what it verified.

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

/// What the test's server saw: every piece asked for, in order, and after how many requests it
/// stops answering (`None`: never).
#[derive(Default)]
struct Asked {
	pieces: Vec<u64>,
	answer_only: Option<usize>,
}

/// A `concord blob fetch` killed once a quarter of its pieces are verified resumes from them:
/// run again, it completes, asking only for the pieces it did not have.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_fetch_resumes_from_the_pieces_it_verified() {
	use concord_worker::data::{self, Answer, Held, Store};
	use futures::StreamExt;
	use libp2p::{
		request_response::{Event, Message},
		swarm::SwarmEvent,
	};
	use std::sync::{Arc, Mutex};

	let dir = tempfile::tempdir().unwrap();
	let mut bytes = vec![0u8; 64 * MIB];
	getrandom::getrandom(&mut bytes).unwrap();
	std::fs::write(dir.path().join("blob.bin"), &bytes).unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let blob = source.add(&dir.path().join("blob.bin")).unwrap();
	assert_eq!(blob.pieces(), 64);

	// The server answers the first 16 requests, then holds every other one. A downloader asks
	// for its next piece only once it has written one (4 are asked for at first), so a 20th
	// request means 16 pieces verified and written: the fetch is killed then.
	let quarter = 16;
	let asked = Arc::new(Mutex::new(Asked { pieces: Vec::new(), answer_only: Some(quarter) }));
	let quarter_written = Arc::new(tokio::sync::Notify::new());
	let identity = libp2p::identity::Keypair::generate_ed25519();
	let mut server = data::swarm(identity, true, data::STALL_TIMEOUT).unwrap();
	server.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
	let address = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = server.select_next_some().await {
			break address;
		}
	};
	let _server = tokio::spawn({
		let (asked, quarter_written) = (asked.clone(), quarter_written.clone());
		async move {
			let mut held = Vec::new();
			loop {
				let SwarmEvent::Behaviour(Event::Message {
					message: Message::Request { request, channel, .. },
					..
				}) = server.select_next_some().await
				else {
					continue;
				};
				let mut asked = asked.lock().unwrap();
				asked.pieces.push(request.piece);
				if let Some(only) = asked.answer_only {
					if asked.pieces.len() > only {
						held.push(channel);
						if asked.pieces.len() == only + 4 {
							quarter_written.notify_one();
						}
						continue;
					}
				}
				let encoded = source.encode_piece(&request.blob, request.piece).unwrap().unwrap();
				let _ = server.behaviour_mut().send_response(channel, Answer::Piece(encoded));
			}
		}
	});

	let sink = dir.path().join("sink");
	let fetch = || {
		let mut command = concord();
		command.args(["--json", "blob", "fetch", "--from", &address.to_string()]);
		command.arg(blob.to_string()).arg("--store").arg(&sink);
		command
	};
	let first = crate::common::Process(fetch().stdout(Stdio::null()).spawn().unwrap());
	tokio::time::timeout(crate::common::STAGE_TIMEOUT, quarter_written.notified())
		.await
		.expect("the fetch asked for a quarter of the pieces and more");
	first.kill();
	let Held::Partial(have) = Store::open(&sink).unwrap().held(&blob).unwrap() else {
		panic!("a partial download is left")
	};
	let verified: Vec<u64> = (0..64).filter(|p| have[*p as usize]).collect();
	assert_eq!(verified.len(), quarter, "the pieces answered, all verified and kept");

	{
		let mut asked = asked.lock().unwrap();
		asked.pieces.clear();
		asked.answer_only = None;
	}
	let mut again = fetch();
	let resumed = tokio::task::spawn_blocking(move || again.output()).await.unwrap().unwrap();
	assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
	let resumed: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
	assert_eq!(resumed["pieces"], 64 - quarter as u64);
	let mut asked_again = asked.lock().unwrap().pieces.clone();
	asked_again.sort();
	let missing: Vec<u64> = (0..64).filter(|p| !have[*p as usize]).collect();
	assert_eq!(asked_again, missing, "only the pieces it did not have were asked for, once each");
	let fetched = resumed["path"].as_str().unwrap();
	assert!(std::fs::read(fetched).unwrap() == bytes, "the resumed blob is the blob");
}
