//! `concord blob ...`: move a blob of any size (up to 4 GiB) between machines, every piece
//! checked against the blob's BLAKE3 root on arrival.

use super::Output;
use clap::{Args, Subcommand};
use concord_worker::data::{self, BlobRef, Limits, Store};
use concord_worker::report;
use libp2p::Multiaddr;
use serde_json::json;
use std::{path::PathBuf, time::Instant};

#[derive(Subcommand)]
pub enum BlobCommand {
	/// Add files to a store in place (their bytes stay where they are, their hash trees go in
	/// the store) and print each as the blob it is: 0x, its BLAKE3 root in hex, a colon and its size.
	Add(AddArgs),
	/// Serve the blobs of a store, FILEs added first, to anyone who names them, until stopped.
	Serve(ServeArgs),
	/// Get a blob from every peer named that serves it, all at once, each piece checked
	/// before it is written (a peer that sends a bad one is dropped and named), after
	/// checking that the disk has room for it.
	Fetch(FetchArgs),
}

#[derive(Args)]
pub(super) struct StoreArg {
	/// The store directory [default: $XDG_DATA_HOME/concord/blobs, or ~/.local/share/...].
	#[arg(long, value_name = "DIR")]
	store: Option<PathBuf>,
}

impl StoreArg {
	pub(super) fn open(&self) -> anyhow::Result<Store> {
		let dir = match &self.store {
			Some(dir) => dir.clone(),
			None => std::env::var_os("XDG_DATA_HOME")
				.map(PathBuf::from)
				.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
				.ok_or_else(|| {
					anyhow::anyhow!("pass --store: neither XDG_DATA_HOME nor HOME is set")
				})?
				.join("concord/blobs"),
		};
		Ok(Store::open(&dir)?)
	}
}

#[derive(Args)]
pub struct AddArgs {
	#[command(flatten)]
	store: StoreArg,
	#[arg(required = true, value_name = "FILE")]
	files: Vec<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
	#[command(flatten)]
	store: StoreArg,
	/// Where to listen (port 0: any free port; every address listened on is printed).
	#[arg(long, value_name = "MULTIADDR", default_value = "/ip4/0.0.0.0/tcp/0")]
	listen: Multiaddr,
	#[arg(value_name = "FILE")]
	files: Vec<PathBuf>,
}

#[derive(Args)]
pub struct FetchArgs {
	#[command(flatten)]
	store: StoreArg,
	/// The blob, as `concord blob add` prints it (0x, the BLAKE3 root in hex, a colon, the
	/// size).
	#[arg(value_name = "BLOB")]
	blob: BlobRef,
	/// A peer that serves it (`/p2p/<peer id>` at the end checks the peer's identity); given
	/// again, another, and the pieces are shared among them.
	#[arg(long, value_name = "MULTIADDR", required = true)]
	from: Vec<Multiaddr>,
	/// Also copy the blob here once it is whole.
	#[arg(long, value_name = "FILE")]
	output: Option<PathBuf>,
}

impl BlobCommand {
	pub fn run(self, out: Output) -> anyhow::Result<()> {
		match self {
			BlobCommand::Add(args) => {
				let store = args.store.open()?;
				let (mut lines, mut added) = (Vec::new(), Vec::new());
				for file in &args.files {
					let blob = store.add(file)?;
					lines.push(format!("{blob}  {}", file.display()));
					added.push(
						json!({ "blob": blob.to_string(), "file": file.display().to_string() }),
					);
				}
				out.print(lines.join("\n"), json!({ "added": added }));
				Ok(())
			}
			BlobCommand::Serve(args) => serve(args, out),
			BlobCommand::Fetch(args) => fetch(args, out),
		}
	}
}

fn serve(args: ServeArgs, out: Output) -> anyhow::Result<()> {
	let store = args.store.open()?;
	for file in &args.files {
		let blob = store.add(file)?;
		out.progress(format!("added {blob}  {}", file.display()));
	}
	let identity = libp2p::identity::Keypair::generate_ed25519();
	tokio::runtime::Runtime::new()?.block_on(data::serve(
		args.listen,
		identity,
		vec![store],
		|address| {
			// One line each, as soon as it listens, so a script can read where to fetch from.
			out.print(
				format!("serving at {address}"),
				json!({ "serving_at": address.to_string() }),
			);
		},
	))
}

fn fetch(args: FetchArgs, out: Output) -> anyhow::Result<()> {
	let store = args.store.open()?;
	let started = Instant::now();
	let runtime = tokio::runtime::Runtime::new()?;
	let fetched =
		runtime.block_on(data::fetch(args.blob, &args.from, &store, Limits::default()))?;
	let seconds = started.elapsed().as_secs_f64();
	let path = match &args.output {
		Some(output) => {
			std::fs::copy(&fetched.path, output)?;
			output.clone()
		}
		None => fetched.path.clone(),
	};
	let moved = fetched.pieces.min(args.blob.pieces()) as f64 * data::PIECE_BYTES as f64;
	let rate = moved.min(args.blob.size as f64) / seconds.max(1e-9) / (1 << 20) as f64;
	let mut lines = vec![format!(
		"fetched {} ({} pieces) in {seconds:.2} s, {rate:.1} MiB/s: {}",
		args.blob,
		fetched.pieces,
		path.display()
	)];
	lines.extend(fetched.sources.iter().map(report::source_line));
	out.print(
		lines.join("\n"),
		json!({
			"blob": args.blob.to_string(),
			"path": path.display().to_string(),
			"pieces": fetched.pieces,
			"sources": fetched.sources.iter().map(source_json).collect::<Vec<_>>(),
			"bad_peers": fetched.bad_sources().map(source_json).collect::<Vec<_>>(),
			"seconds": seconds,
		}),
	);
	Ok(())
}

/// A source of a download, for scripts (see docs/CLI-JSON.md).
pub(super) fn source_json(source: &data::SourceReport) -> serde_json::Value {
	json!({
		"address": source.address.to_string(),
		"peer": source.peer.map(|peer| peer.to_string()),
		"pieces": source.pieces,
		"dropped": source.dropped.as_ref().map(|why| why.to_string()),
		"bad_data": source.dropped.as_ref().is_some_and(data::FetchError::is_bad_data),
	})
}
