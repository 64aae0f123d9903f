//! A job's output on the data plane (issue 26), on the dev chain with its genesis providers:
//! `concord job fetch` takes it from every provider that agreed on it at once, each piece
//! checked against the attested result hash (the output's BLAKE3 root), and still gets the
//! CPU reference's bytes when one of those providers is replaced by a liar on its port, which
//! it names.

use crate::common::*;
use concord_kernels::{cpu, result_hash};
use concord_primitives::kernel::KernelId;
use concord_worker::{
	blobs::Endpoint,
	chain::Client,
	data::{self, Answer, BlobRef, Store},
};
use futures::StreamExt;
use libp2p::{
	request_response::{Event, Message},
	swarm::SwarmEvent,
};
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;

#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_an_output_that_job_fetch_takes_from_all_of_them_despite_a_liar() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &["--provider", "//Alice"]);
	let mut workers: Vec<(&str, Option<Process>)> =
		workers().into_iter().zip(start_workers(&rpc, dir.path()).into_iter().map(Some)).collect();
	// 32 MiB of output from no input: 32 pieces, enough for every source to be asked.
	let params = [4096u32, 2048, 8, (-2048i32) as u32, 0, 1];
	let expected = cpu::run(KernelId::MandelbrotQ12, &params, &[]).unwrap();
	assert_eq!(expected.len(), 32 << 20);
	let params_arg = params.map(|p| p.to_string()).join(",");

	let args = ["--kernel", "mandelbrot-q12", "--params", &params_arg].map(Into::into).to_vec();
	let value = submit_and_wait(&rpc, args, dir.path()).await;
	let hash = result_hash(&expected);
	assert_eq!(value["result_hash"], format!("0x{}", hex::encode(hash)), "the CPU's hash");
	let job = value["job"].as_u64().expect("a job number");
	let client = Client::connect(&rpc).await.unwrap();
	let at = client.best_header().await.unwrap().hash();
	let info = client.existing_job(job, at).await.unwrap();
	assert!(matches!(info.phase, Phase::Attested { .. }), "{info:?}");
	let agreed: Vec<_> = info
		.assignees
		.iter()
		.filter(|a| a.outcome == Some(JobOutcome::Agreed))
		.map(|a| a.provider.clone())
		.collect();
	assert!(agreed.len() >= 2, "{info:?}");

	// From all of them at once: every agreeing provider is a source, and none is a liar.
	let (bytes, fetched) = fetch_as_dave(&rpc, job, dir.path());
	assert!(bytes == expected, "the fetched output differs from the CPU reference");
	assert_eq!(fetched["bytes"], expected.len());
	let sources = fetched["sources"].as_array().expect("sources");
	assert_eq!(sources.len(), agreed.len(), "{fetched}");
	assert_eq!(fetched["bad_peers"], serde_json::json!([]), "{fetched}");
	let pieces: u64 = sources.iter().map(|s| s["pieces"].as_u64().unwrap()).sum();
	assert_eq!(pieces, 32, "{fetched}");

	// One of them (a worker, not Alice inside the node) is killed, and a liar takes its port:
	// it answers every request for a piece with the piece's true encoding, one byte changed.
	let victim = names_of(&agreed).into_iter().find(|name| *name != "Alice").expect("a worker");
	let record = client.provider(&account(victim), at).await.unwrap().expect("a provider");
	let endpoint = Endpoint::parse(std::str::from_utf8(&record.endpoint).unwrap()).unwrap();
	let address = endpoint.p2p().unwrap();
	workers.iter_mut().find(|(name, _)| *name == victim).unwrap().1.take().unwrap().kill();
	let honest = Store::open(&dir.path().join("liar-store")).unwrap();
	std::fs::write(dir.path().join("output"), &expected).unwrap();
	let blob = honest.add(&dir.path().join("output")).unwrap();
	assert_eq!(blob, BlobRef { root: hash, size: expected.len() as u64 });
	let identity = libp2p::identity::Keypair::generate_ed25519();
	let mut liar = data::swarm(identity, true, data::STALL_TIMEOUT).unwrap();
	liar.listen_on(address.clone()).unwrap();
	loop {
		if let SwarmEvent::NewListenAddr { .. } = liar.select_next_some().await {
			break;
		}
	}
	let lies = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
	let _liar = tokio::spawn({
		let lies = lies.clone();
		async move {
			loop {
				if let SwarmEvent::Behaviour(Event::Message {
					message: Message::Request { request, channel, .. },
					..
				}) = liar.select_next_some().await
				{
					let mut encoded =
						honest.encode_piece(&request.blob, request.piece).unwrap().unwrap();
					*encoded.last_mut().unwrap() ^= 0x01;
					lies.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
					let _ = liar.behaviour_mut().send_response(channel, Answer::Piece(encoded));
				}
			}
		}
	});

	let (bytes, fetched) = fetch_as_dave(&rpc, job, dir.path());
	assert!(bytes == expected, "the output fetched beside a liar differs");
	assert!(lies.load(std::sync::atomic::Ordering::SeqCst) > 0, "the liar was asked: {fetched}");
	let bad = fetched["bad_peers"].as_array().expect("bad peers");
	assert_eq!(bad.len(), 1, "{fetched}");
	assert_eq!(bad[0]["address"], address.to_string(), "the liar is named: {fetched}");
	assert_eq!(bad[0]["pieces"], 0, "none of its pieces kept: {fetched}");
	assert!(bad[0]["dropped"].as_str().unwrap().contains("does not match the root"), "{fetched}");
}
