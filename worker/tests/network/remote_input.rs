//! A job whose input is too large to ride on chain (issue 25, slice 2), on the dev chain with
//! its genesis providers: `concord job submit --input FILE` serves the file over the data plane,
//! each drawn provider fetches it piece by piece against the BLAKE3 root the job names,
//! computes, commits and keeps it, serving it to the job's other assignees, and the requester
//! gets the CPU reference's bytes. Once a quorum has committed the requester may go offline
//! (issue 26, slice 3).

use crate::common::*;
use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};
use concord_worker::chain::Client;
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_a_job_whose_4_mib_input_the_requester_serves() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &["--provider", "//Alice"]);
	let _workers = start_workers(&rpc, dir.path());
	let (kernel, params) = (KernelId::SortU32, [1u32 << 20]);
	let shape = validate_params(kernel, &params).unwrap();
	let input = random::input(&shape, 7);
	assert_eq!(input.len(), 4 << 20);
	let file = dir.path().join("input.bin");
	std::fs::write(&file, &input).unwrap();
	let expected = cpu::run(kernel, &params, &input).unwrap();

	let args = vec![
		"--kernel".into(),
		"sort-u32".into(),
		"--params".into(),
		params[0].to_string().into(),
		"--input".into(),
		file.clone().into(),
		"--store".into(),
		dir.path().join("requester").into(),
	];
	let value = submit_and_wait(&rpc, args, dir.path()).await;
	assert_eq!(value["result_hash"], format!("0x{}", hex::encode(result_hash(&expected))));
	let source = value["input_source"].as_str().expect("where the input was served");
	assert!(source.starts_with("/ip4/127.0.0.1/tcp/") && source.contains("/p2p/"), "{value}");

	// The chain holds the input's BLAKE3 root, size and source, not its bytes.
	let job = value["job"].as_u64().expect("a job number");
	let client = Client::connect(&rpc).await.unwrap();
	let info = client.existing_job(job, client.best_header().await.unwrap().hash()).await.unwrap();
	assert_eq!(info.spec.input.hash.0, *bao_tree::blake3::hash(&input).as_bytes());
	assert_eq!(info.spec.input.size, input.len() as u64);
	assert_eq!(info.spec.input.source.as_deref().map(|s| &s[..]), Some(source.as_bytes()));
	assert!(matches!(info.phase, Phase::Attested { .. }));
	let agreed = info.assignees.iter().filter(|a| a.outcome == Some(JobOutcome::Agreed)).count();
	assert!(agreed >= 2, "{info:?}");

	// Each worker that computed it keeps the input it fetched, whole, to serve (Alice, inside
	// the node, keeps her state elsewhere).
	let blob =
		concord_worker::data::BlobRef { root: info.spec.input.hash.0, size: input.len() as u64 };
	let mut looked = 0;
	for name in names_of(info.assignees.iter().map(|a| &a.provider)) {
		if name == "Alice" {
			continue;
		}
		let inputs = concord_worker::data::Store::open(&state_dir(dir.path(), name).join("inputs"));
		let held = inputs.unwrap().held(&blob).unwrap();
		assert_eq!(held, concord_worker::data::Held::Whole, "{name}\n{}", logs(dir.path()));
		looked += 1;
	}
	assert!(looked > 0, "a worker computed it: {info:?}");
	// And the requester, which served it from a store of its own, removed that store; only
	// the identity it served as is kept, for `job serve`.
	let requester: Vec<_> = std::fs::read_dir(dir.path().join("requester"))
		.unwrap()
		.map(|e| e.unwrap().file_name())
		.collect();
	assert_eq!(requester, ["input-identities"], "the requester kept {requester:?}");

	let (bytes, _) = fetch_as_dave(&rpc, job, dir.path());
	assert!(bytes == expected, "the fetched output differs");
}

/// The requester goes offline once a quorum has committed (issue 26, slice 3). It submits
/// while no provider runs and crashes before any fetched the input; `concord job serve`
/// serves the input again at the address the job names; the drawn providers but one start,
/// compute and commit, and `job serve` stops by itself, saying a quorum holds the input. Only
/// then does the last one start: nothing serves the input but the providers that committed,
/// and it fetches it from them, agrees, and the job attests with its output fetchable.
#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_a_remote_input_job_after_its_requester_went_offline() {
	let dir = tempfile::tempdir().unwrap();
	// No provider inside the node: each is a worker this test starts when it chooses.
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	let (kernel, params) = (KernelId::SortU32, [1u32 << 20]);
	let shape = validate_params(kernel, &params).unwrap();
	let input = random::input(&shape, 11);
	let file = dir.path().join("input.bin");
	std::fs::write(&file, &input).unwrap();
	let expected = cpu::run(kernel, &params, &input).unwrap();
	let store = dir.path().join("requester");

	// A window long enough for the third provider to start once the two have committed.
	let job = submit_and_crash(&rpc, (params, 40), &file, &store);

	// Serve it again, as the identity the job names.
	let mut serve = Process(
		concord()
			.args(["job", "serve", "--rpc", &rpc, &job.to_string()])
			.arg("--input")
			.arg(&file)
			.arg("--store")
			.arg(&store)
			.stdout(Stdio::piped())
			.stderr(Stdio::piped())
			.spawn()
			.unwrap(),
	);
	// Its progress lines, read to the end (a closed stderr would fail its writes).
	let (lines, said) = std::sync::mpsc::channel();
	let stderr = BufReader::new(serve.0.stderr.take().unwrap());
	std::thread::spawn(move || {
		stderr.lines().map_while(Result::ok).try_for_each(|l| lines.send(l))
	});
	let serving = said.recv_timeout(STAGE_TIMEOUT).expect("a line");
	assert!(serving.starts_with(&format!("serving job {job}'s input")), "{serving}");

	let client = Client::connect(&rpc).await.unwrap();
	let assigned = wait_for(&client, job, |info| !info.assignees.is_empty()).await;
	let info =
		assigned.unwrap_or_else(|| panic!("job {job} was not assigned\n{}", logs(dir.path())));
	let source = String::from_utf8(info.spec.input.source.clone().unwrap().to_vec()).unwrap();
	// The job names the identity the crashed submission kept, which `job serve` served as.
	let peer = source.rsplit_once("/p2p/").expect("a peer id").1.to_string();
	assert!(store.join("input-identities").join(format!("{peer}.key")).is_file(), "{source}");
	let assignees = names_of(info.assignees.iter().map(|a| &a.provider));
	assert_eq!(assignees.len(), 3, "{info:?}");
	let (late, first_ones) = assignees.split_last().unwrap();
	let _first_workers: Vec<_> =
		first_ones.iter().map(|name| start_worker(&rpc, name, dir.path())).collect();

	// `job serve` stops once the two have committed: a quorum holds the input.
	let mut stdout = serve.0.stdout.take().unwrap();
	let stopped = tokio::time::timeout(
		STAGE_TIMEOUT,
		tokio::task::spawn_blocking(move || (serve.0.wait().unwrap(), serve)),
	);
	let stopped =
		stopped.await.unwrap_or_else(|_| panic!("job serve did not stop\n{}", logs(dir.path())));
	let (status, _serve) = stopped.unwrap();
	let mut printed = String::new();
	std::io::Read::read_to_string(&mut stdout, &mut printed).unwrap();
	let progress: Vec<_> = said.try_iter().collect();
	assert!(status.success(), "{printed}\n{progress:?}\n{}", logs(dir.path()));
	assert!(printed.contains("may go offline"), "{printed}");
	let now = client.existing_job(job, client.best_header().await.unwrap().hash()).await.unwrap();
	let committed: Vec<_> =
		now.assignees.iter().filter(|a| a.commitment.is_some()).map(|a| &a.provider).collect();
	assert_eq!(names_of(committed), first_ones, "{now:?}");

	// Nothing serves the input now but the providers that committed.
	let _late_worker = start_worker(&rpc, late, dir.path());
	let attested = wait_for(&client, job, |info| !info.phase.is_open()).await;
	let info = attested.unwrap_or_else(|| panic!("job {job} did not end\n{}", logs(dir.path())));
	assert!(matches!(info.phase, Phase::Attested { .. }), "{info:?}\n{}", logs(dir.path()));
	for assignee in &info.assignees {
		assert_eq!(assignee.outcome, Some(JobOutcome::Agreed), "{info:?}\n{}", logs(dir.path()));
	}
	// Its download names each source: every piece came from the two, none from the requester.
	let late_log = std::fs::read_to_string(dir.path().join(format!("{}.log", file_name(late))));
	let late_log = late_log.unwrap();
	let sources: Vec<&str> = late_log
		.split_once("fetched the input")
		.unwrap_or_else(|| panic!("{late_log}"))
		.1
		.lines()
		.skip(1)
		.take_while(|line| line.starts_with("  ") && line.contains(" pieces from "))
		.collect();
	assert_eq!(sources.len(), 3, "the requester and the two: {late_log}");
	let from_requester: Vec<_> = sources.iter().filter(|line| line.contains(&peer)).collect();
	assert_eq!(from_requester.len(), 1, "{sources:?}");
	assert!(
		from_requester[0].starts_with("  0 pieces from") && from_requester[0].contains("dropped")
	);
	let pieces = |line: &&str| line.trim().split(' ').next().unwrap().parse::<u64>().unwrap();
	assert_eq!(sources.iter().map(pieces).sum::<u64>(), 4, "4 MiB in 1 MiB pieces: {sources:?}");

	let (bytes, _) = fetch_as_dave(&rpc, job, dir.path());
	assert!(bytes == expected, "the fetched output differs");
}

/// `concord job submit` as Dave of a sort of `params` on `file` with a commit window of
/// `window` blocks, killed once it printed the job's number (before any provider could fetch
/// the input, with none running); returns that number.
fn submit_and_crash(
	rpc: &str,
	(params, window): ([u32; 1], u32),
	file: &std::path::Path,
	store: &std::path::Path,
) -> u64 {
	let mut submit = Process(
		concord()
			.args(["job", "submit", "--rpc", rpc, "--key", "//Dave", "--kernel", "sort-u32"])
			.args(["--params", &params[0].to_string(), "--commit-window", &window.to_string()])
			.arg("--input")
			.arg(file)
			.arg("--store")
			.arg(store)
			.stdout(Stdio::piped())
			.stderr(Stdio::null())
			.spawn()
			.unwrap(),
	);
	let mut first = String::new();
	BufReader::new(submit.0.stdout.take().unwrap()).read_line(&mut first).unwrap();
	let job = first.trim().parse().unwrap_or_else(|_| panic!("not a job number: {first:?}"));
	submit.kill();
	job
}

/// A remote input whose source is dead (issue 26, slice 2, on real processes): the requester
/// crashes before any provider fetched its input and never comes back, so the drawn providers
/// retry until computing could no longer finish, then report the input unavailable (their
/// free decline). The job fails `InputUnavailable`; nobody is slashed; each reporter is paid
/// the runtime's `JobInputDeposit` out of the requester's deposit, and the rest of the escrow
/// goes back to the requester, to the unit.
#[tokio::test(flavor = "multi_thread")]
async fn a_remote_input_never_served_pays_its_reporters_from_the_requesters_deposit() {
	use concord_runtime::{configs::JobInputDeposit, RuntimeEvent};
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	let params = [1u32 << 20];
	let shape = validate_params(KernelId::SortU32, &params).unwrap();
	let file = dir.path().join("input.bin");
	std::fs::write(&file, random::input(&shape, 13)).unwrap();
	let job = submit_and_crash(&rpc, (params, 20), &file, &dir.path().join("requester"));

	let client = Client::connect(&rpc).await.unwrap();
	let assigned = wait_for(&client, job, |info| !info.assignees.is_empty()).await;
	let open =
		assigned.unwrap_or_else(|| panic!("job {job} was not assigned\n{}", logs(dir.path())));
	let assignees = names_of(open.assignees.iter().map(|a| &a.provider));
	let _workers: Vec<_> =
		assignees.iter().map(|name| start_worker(&rpc, name, dir.path())).collect();

	let ended = wait_for_at(&client, job, |info| !info.phase.is_open()).await;
	let (at, info) = ended.unwrap_or_else(|| panic!("job {job} did not end\n{}", logs(dir.path())));
	let failed = pallet_jobs::Phase::Failed { reason: pallet_jobs::FailReason::InputUnavailable };
	assert_eq!(info.phase, failed, "{info:?}\n{}", logs(dir.path()));
	let reporters: Vec<_> =
		info.assignees.iter().filter(|a| a.declined).map(|a| a.provider.clone()).collect();
	assert!(reporters.len() >= 2, "{info:?}");

	let key = frame_support::storage::storage_prefix(b"System", b"Events").to_vec();
	let records: Vec<frame_system::EventRecord<RuntimeEvent, sp_core::H256>> =
		client.storage(key, at).await.unwrap().unwrap_or_default();
	let (mut shared, mut refunded, mut slashed) = (Vec::new(), None, 0);
	for record in records {
		match record.event {
			RuntimeEvent::Jobs(pallet_jobs::Event::InputDepositShared {
				job: of,
				provider,
				amount,
			}) if of == job => shared.push((provider, amount)),
			RuntimeEvent::Jobs(pallet_jobs::Event::Refunded { job: of, amount, .. })
				if of == job =>
			{
				refunded = Some(amount)
			}
			RuntimeEvent::Jobs(pallet_jobs::Event::Slashed { .. }) => slashed += 1,
			_ => {}
		}
	}
	let each: u128 = JobInputDeposit::get();
	let mut paid: Vec<_> = shared.iter().map(|(who, _)| who.clone()).collect();
	paid.sort();
	let mut expected = reporters.clone();
	expected.sort();
	assert_eq!(paid, expected, "every reporter, and no one else, is paid");
	assert!(shared.iter().all(|(_, amount)| *amount == each), "{shared:?}");
	assert_eq!(slashed, 0, "nobody is slashed");
	let refunded = refunded.expect("the rest of the escrow is refunded");
	assert_eq!(refunded + each * reporters.len() as u128, open.escrow, "to the unit");
}
